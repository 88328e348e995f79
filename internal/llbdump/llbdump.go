// Package llbdump turns an LLB definition into readable, deterministic JSON:
// one object per op, in a canonical order, with inputs referring to other
// ops by their position. Two definitions with the same graph give the same
// normalized dump, whatever the digests.
package llbdump

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/encoding/protojson"
)

// Op is one op of a dump.
type Op struct {
	// Index is the position of the op in the dump; inputs refer to it.
	Index int `json:"index"`
	// Digest is the op's digest; empty in a normalized dump.
	Digest string `json:"digest,omitempty"`
	// Op is the op as protojson, with input digests replaced by indexes.
	Op any `json:"op"`
	// Metadata is the op's metadata (description, caps); nil when normalized.
	Metadata any `json:"metadata,omitempty"`
}

// Ops returns the ops of def in canonical order: depth first from the
// terminal op, inputs in order. With normalize, digests, metadata and the
// random local.unique attribute of local sources are left out.
func Ops(def *llb.Definition, normalize bool) ([]Op, error) {
	ops := make(map[digest.Digest]*pb.Op, len(def.Def))
	var last digest.Digest
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("llbdump: %w", err)
		}
		d := digest.FromBytes(dt)
		ops[d] = &op
		last = d
	}
	if last == "" {
		return nil, nil
	}
	index := map[digest.Digest]int{}
	var out []Op
	var visit func(d digest.Digest) (int, error)
	visit = func(d digest.Digest) (int, error) {
		if i, ok := index[d]; ok {
			return i, nil
		}
		op, ok := ops[d]
		if !ok {
			return 0, fmt.Errorf("llbdump: missing op %s", d)
		}
		c := op.CloneVT()
		for _, in := range c.Inputs {
			i, err := visit(digest.Digest(in.Digest))
			if err != nil {
				return 0, err
			}
			in.Digest = fmt.Sprint(i)
		}
		if normalize {
			if src := c.GetSource(); src != nil {
				delete(src.Attrs, "local.unique")
			}
		}
		v, err := toJSON(c)
		if err != nil {
			return 0, err
		}
		o := Op{Index: len(out), Op: v}
		if !normalize {
			o.Digest = d.String()
			if md, ok := def.Metadata[d]; ok {
				o.Metadata = md
			}
		}
		index[d] = o.Index
		out = append(out, o)
		return o.Index, nil
	}
	if _, err := visit(last); err != nil {
		return nil, err
	}
	return out, nil
}

func toJSON(op *pb.Op) (any, error) {
	b, err := protojson.Marshal(op)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Dump renders def as indented JSON, one op per array element, for golden
// files.
func Dump(def *llb.Definition) ([]byte, error) {
	ops, err := Ops(def, false)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ops); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Diff compares two definitions op for op, ignoring digests and metadata,
// and returns a go-cmp diff, empty when they are the same graph.
func Diff(want, got *llb.Definition) (string, error) {
	a, err := Ops(want, true)
	if err != nil {
		return "", err
	}
	b, err := Ops(got, true)
	if err != nil {
		return "", err
	}
	return cmp.Diff(a, b), nil
}
