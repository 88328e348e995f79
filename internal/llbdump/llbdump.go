// Package llbdump turns an LLB definition into readable, deterministic JSON:
// one object per op, in a canonical order, with inputs referring to other
// ops by their position in that order rather than by digest.
//
// [Dump] is the form of the golden files: every op with its digest and its
// metadata (description, caps), as buildctl debug dump-llb shows them.
// [Normalize] leaves out what does not change what BuildKit builds
// (digests, metadata and the random local.unique attribute), so two
// definitions of the same graph normalize to equal values; [Diff] compares
// two definitions that way.
//
// # Canonical order
//
// Ops are listed depth first from the terminal op (the op that no other op
// uses), inputs in order, each op after its inputs; an op used several
// times is listed once, where it is first reached. The terminal op, which
// [llb.State.Marshal] adds to select the output, comes last. The order
// depends only on the graph, not on the order of [llb.Definition.Def].
//
// # Op format
//
// Each op is the protojson form of its [pb.Op] (exec ops show meta.args,
// meta.env, meta.cwd, meta.user and mounts; file ops their actions; source
// ops their identifier and attrs) re-encoded with encoding/json, which
// sorts object keys, so the bytes are stable. In "inputs", each "digest" is
// the index of the input op, as a string.
package llbdump

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/encoding/protojson"
)

// LocalUniqueAttr is the attribute of local sources that BuildKit sets to a
// random id unless the caller pins it; [Normalize] removes it.
const LocalUniqueAttr = pb.AttrLocalUniqueID

// Op is one op of a dump.
type Op struct {
	// Index is the position of the op in the canonical order; inputs refer
	// to it.
	Index int `json:"index"`
	// Digest is the digest of the op; empty when normalized.
	Digest string `json:"digest,omitempty"`
	// Op is the op as protojson decoded into maps, with the digest of each
	// input replaced by the input's Index.
	Op map[string]any `json:"op"`
	// Metadata is the op's metadata (description, caps, ...); nil when
	// normalized or when the definition has none for the op.
	Metadata *llb.OpMetadata `json:"metadata,omitempty"`
}

// Ops returns the ops of def in canonical order. With normalize, digests,
// metadata and the local.unique attribute of local sources are left out,
// as [Normalize] does.
//
// It fails when an op does not decode, when an input refers to an op that
// def does not hold, or when def is not one graph: several ops that no
// other op uses, or ops that the terminal op does not reach.
func Ops(def *llb.Definition, normalize bool) ([]Op, error) {
	if def == nil {
		return nil, errors.New("llbdump: nil definition")
	}
	ops := make(map[digest.Digest]*pb.Op, len(def.Def))
	order := make([]digest.Digest, 0, len(def.Def))
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, fmt.Errorf("llbdump: op %d: %w", i, err)
		}
		d := digest.FromBytes(dt)
		if _, dup := ops[d]; !dup {
			order = append(order, d)
		}
		ops[d] = &op
	}
	out := []Op{}
	if len(ops) == 0 {
		return out, nil
	}
	root, err := terminal(ops, order)
	if err != nil {
		return nil, err
	}
	index := make(map[digest.Digest]int, len(ops))
	var visit func(d digest.Digest, depth int) (int, error)
	visit = func(d digest.Digest, depth int) (int, error) {
		if i, ok := index[d]; ok {
			return i, nil
		}
		if depth > len(ops) {
			return 0, fmt.Errorf("llbdump: cycle through op %s", d)
		}
		op, ok := ops[d]
		if !ok {
			return 0, fmt.Errorf("llbdump: missing op %s", d)
		}
		c := op.CloneVT()
		for _, in := range c.Inputs {
			i, err := visit(digest.Digest(in.Digest), depth+1)
			if err != nil {
				return 0, err
			}
			in.Digest = strconv.Itoa(i)
		}
		if normalize {
			if src := c.GetSource(); src != nil {
				delete(src.Attrs, LocalUniqueAttr)
			}
		}
		v, err := toMap(c)
		if err != nil {
			return 0, err
		}
		o := Op{Index: len(out), Op: v}
		if !normalize {
			o.Digest = d.String()
			if md, ok := def.Metadata[d]; ok {
				o.Metadata = &md
			}
		}
		index[d] = o.Index
		out = append(out, o)
		return o.Index, nil
	}
	if _, err := visit(root, 0); err != nil {
		return nil, err
	}
	if len(out) != len(ops) {
		return nil, fmt.Errorf("llbdump: %d of %d ops are not reachable from the terminal op %s", len(ops)-len(out), len(ops), root)
	}
	return out, nil
}

// terminal returns the one op that no other op uses.
func terminal(ops map[digest.Digest]*pb.Op, order []digest.Digest) (digest.Digest, error) {
	used := make(map[digest.Digest]bool, len(ops))
	for _, op := range ops {
		for _, in := range op.Inputs {
			used[digest.Digest(in.Digest)] = true
		}
	}
	var roots []digest.Digest
	for _, d := range order {
		if !used[d] {
			roots = append(roots, d)
		}
	}
	switch len(roots) {
	case 1:
		return roots[0], nil
	case 0:
		return "", errors.New("llbdump: no terminal op: every op is the input of another")
	default:
		return "", fmt.Errorf("llbdump: %d ops are used by no other op, want one terminal op: %v", len(roots), roots)
	}
}

// toMap converts op to protojson and decodes it into maps, so that
// encoding/json writes it back with sorted keys.
func toMap(op *pb.Op) (map[string]any, error) {
	b, err := protojson.Marshal(op)
	if err != nil {
		return nil, fmt.Errorf("llbdump: %w", err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("llbdump: %w", err)
	}
	return v, nil
}

// Normalize returns the ops of def in canonical order without what does
// not change the build: digests, op metadata and the local.unique
// attribute of local sources. Two definitions of the same graph normalize
// to values that [cmp.Equal] reports equal, whatever their digests.
func Normalize(def *llb.Definition) ([]Op, error) { return Ops(def, true) }

// Dump renders def as an indented JSON array, one object per op in
// canonical order, with digests and metadata, for golden files. The same
// definition always gives the same bytes.
func Dump(def *llb.Definition) ([]byte, error) {
	ops, err := Ops(def, false)
	if err != nil {
		return nil, err
	}
	return encode(ops)
}

// DumpNormalized is [Dump] of the normalized ops: what [Diff] compares.
func DumpNormalized(def *llb.Definition) ([]byte, error) {
	ops, err := Normalize(def)
	if err != nil {
		return nil, err
	}
	return encode(ops)
}

func encode(ops []Op) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ops); err != nil {
		return nil, fmt.Errorf("llbdump: %w", err)
	}
	return b.Bytes(), nil
}

// Diff compares two definitions op for op after [Normalize] and returns a
// go-cmp diff (-want +got), empty when they are the same graph. The text
// of a non-empty diff is for people: do not depend on it.
func Diff(want, got *llb.Definition) (string, error) {
	a, err := Normalize(want)
	if err != nil {
		return "", fmt.Errorf("want: %w", err)
	}
	b, err := Normalize(got)
	if err != nil {
		return "", fmt.Errorf("got: %w", err)
	}
	if reflect.DeepEqual(a, b) {
		return "", nil // the common case, and much cheaper than cmp.Diff
	}
	return cmp.Diff(a, b), nil
}
