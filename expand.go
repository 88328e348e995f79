package multistage

import (
	"fmt"

	"github.com/multistage/multistage/internal/ir"
)

// UserExpand is [Stage.User] with expansion of build args and of the
// stage's environment, as a Dockerfile expands USER:
//
//	ARG UID=1000
//	USER ${UID}
func (s *Stage) UserExpand(user string) *Stage {
	defer s.lock()()
	if err := checkPath("user", user); err != nil {
		return s.fail("USER", err)
	}
	if err := checkTemplate("user", user); err != nil {
		return s.fail("USER", err)
	}
	return s.add(instr{name: "USER", ir: &ir.User{User: user, Expand: true}})
}

// LabelExpand is [Stage.Label] with expansion of build args and of the
// stage's environment in the key and the value, as a Dockerfile expands
// LABEL:
//
//	LABEL org.opencontainers.image.version=${VERSION}
//
// A key may refer to variables too ("${VENDOR}.build"); the other rules of
// [Stage.Label] for keys apply.
func (s *Stage) LabelExpand(key, value string) *Stage {
	defer s.lock()()
	if err := checkLabelKeyTemplate(key); err != nil {
		return s.fail("LABEL", err)
	}
	if err := checkTemplate("label value", value); err != nil {
		return s.fail("LABEL", err)
	}
	return s.add(instr{name: "LABEL", ir: &ir.Label{Key: key, Value: value, Expand: true}})
}

// EnvExpandAll sets several environment variables in one ENV instruction,
// with expansion as in [Stage.EnvExpand], except that every value is
// expanded against the environment from before the instruction:
//
//	ENV ROOT=/srv LOGS=${ROOT}/logs
//
// sets LOGS to the value ROOT had before, not to /srv/logs. keyValues
// alternates keys and values, as in
// EnvExpandAll("ROOT", "/srv", "LOGS", "${ROOT}/logs"). Use [Stage.EnvExpand]
// once per variable for values that refer to the ones set before them.
func (s *Stage) EnvExpandAll(keyValues ...string) *Stage {
	defer s.lock()()
	if len(keyValues) == 0 || len(keyValues)%2 != 0 {
		return s.fail("ENV", fmt.Errorf("%w: EnvExpandAll takes keys and values in pairs, got %d strings", ErrInvalidValue, len(keyValues)))
	}
	g := &ir.EnvGroup{}
	for i := 0; i < len(keyValues); i += 2 {
		k, v := keyValues[i], keyValues[i+1]
		if err := checkEnvName(k); err != nil {
			return s.fail("ENV", err)
		}
		if err := checkTemplate("env value", v); err != nil {
			return s.fail("ENV", err)
		}
		g.Vars = append(g.Vars, ir.Env{Key: k, Value: v, Expand: true})
	}
	return s.add(instr{name: "ENV", ir: g})
}
