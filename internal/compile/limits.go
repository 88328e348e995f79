package compile

import (
	"errors"
	"fmt"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// ErrExpansionLimit is wrapped by the error for a build whose variables
// expand to a value longer than Options.MaxExpandedValue, or to more than
// Options.MaxExpandedTotal bytes in all. BuildKit's frontend has no such
// limit: ENV A=$A$A repeated 24 times takes it hundreds of megabytes.
var ErrExpansionLimit = errors.New("expansion limit exceeded")

// The default limits of expansion.
const (
	// DefaultMaxExpandedValue is the default longest value one expansion
	// may give: 1 MiB, sixteen times the longest line BuildKit's parser
	// reads.
	DefaultMaxExpandedValue = 1 << 20
	// DefaultMaxExpandedTotal is the default of all the values one
	// compile may expand to: 64 MiB.
	DefaultMaxExpandedTotal = 64 << 20
)

// limits are what is left of the expansion budget of one compile.
type limits struct {
	value int // the longest value
	total int // of all values
	left  int // of the total
}

func newLimits(o Options) *limits {
	l := &limits{value: o.MaxExpandedValue, total: o.MaxExpandedTotal}
	if l.value <= 0 {
		l.value = DefaultMaxExpandedValue
	}
	if l.total <= 0 {
		l.total = DefaultMaxExpandedTotal
	}
	l.left = l.total
	return l
}

// budgetEnv hands out the values of env while their total stays within
// budget, so that one expansion builds no value much longer than the
// budget (the lexer appends each value it gets to the word it builds).
type budgetEnv struct {
	env    shell.EnvGetter
	budget int
	over   bool
}

func (e *budgetEnv) Get(key string) (string, bool) {
	v, ok := e.env.Get(key)
	if !ok || e.over {
		return "", ok
	}
	if len(v) > e.budget {
		e.over = true
		return "", true
	}
	e.budget -= len(v)
	return v, true
}

func (e *budgetEnv) Keys() []string { return e.env.Keys() }

// budget is what one expansion may give: the longest value, or what is
// left of the total.
func (l *limits) budget() int { return min(l.value, l.left) }

// charge takes n bytes of expanded values from the total, or returns the
// error for a value of n bytes beyond the limits.
func (l *limits) charge(n int, over bool) error {
	if over || n > l.budget() {
		if l.left < l.value {
			return fmt.Errorf("%w: the values expanded in this build come to more than %d bytes", ErrExpansionLimit, l.total)
		}
		return fmt.Errorf("%w: a value expands to more than %d bytes", ErrExpansionLimit, l.value)
	}
	l.left -= n
	return nil
}

// processWord expands word with lex in env, within the limits.
func (c *compiler) processWord(lex *shell.Lex, word string, env shell.EnvGetter) (string, error) {
	be := &budgetEnv{env: env, budget: c.limits.budget()}
	v, _, err := lex.ProcessWord(word, be)
	if cerr := c.limits.charge(len(v), be.over); cerr != nil {
		return "", cerr
	}
	return v, err
}

// processWords is processWord for the lexer's ProcessWords.
func (c *compiler) processWords(word string, env shell.EnvGetter) ([]string, error) {
	be := &budgetEnv{env: env, budget: c.limits.budget()}
	ws, err := c.lex.ProcessWords(word, be)
	n := 0
	for _, w := range ws {
		n += len(w)
	}
	if cerr := c.limits.charge(n, be.over); cerr != nil {
		return nil, cerr
	}
	return ws, err
}
