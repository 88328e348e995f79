package multistage

import (
	"fmt"
	"math"
	"time"

	"github.com/multistage/multistage/internal/ir"
)

// HealthcheckOption configures [Stage.Healthcheck] and
// [Stage.HealthcheckShell].
type HealthcheckOption interface{ applyHealthcheck(*healthConfig) }

type healthConfig struct {
	h    *ir.Healthcheck
	errs []error
}

type healthFunc func(*healthConfig)

func (f healthFunc) applyHealthcheck(c *healthConfig) { f(c) }

func duration(name string, d time.Duration, set func(time.Duration)) HealthcheckOption {
	return healthFunc(func(c *healthConfig) {
		// BuildKit refuses durations below 1ms, except 0 which means the default.
		if d < 0 || (d > 0 && d < time.Millisecond) {
			c.errs = append(c.errs, fmt.Errorf("%w: healthcheck %s %v: must be 0 (the default) or at least 1ms", ErrInvalidValue, name, d))
			return
		}
		set(d)
	})
}

// Interval sets the time between two checks (default 30s).
func Interval(d time.Duration) HealthcheckOption {
	return healthFunc(func(c *healthConfig) {
		duration("interval", d, func(d time.Duration) { c.h.Interval = d }).applyHealthcheck(c)
	})
}

// Timeout sets how long a check may take (default 30s).
func Timeout(d time.Duration) HealthcheckOption {
	return healthFunc(func(c *healthConfig) {
		duration("timeout", d, func(d time.Duration) { c.h.Timeout = d }).applyHealthcheck(c)
	})
}

// StartPeriod sets how long failures are not counted after the container
// starts (default 0s).
func StartPeriod(d time.Duration) HealthcheckOption {
	return healthFunc(func(c *healthConfig) {
		duration("start period", d, func(d time.Duration) { c.h.StartPeriod = d }).applyHealthcheck(c)
	})
}

// StartInterval sets the time between checks during the start period
// (default 5s).
func StartInterval(d time.Duration) HealthcheckOption {
	return healthFunc(func(c *healthConfig) {
		duration("start interval", d, func(d time.Duration) { c.h.StartInterval = d }).applyHealthcheck(c)
	})
}

// Retries sets how many failed checks in a row make the container unhealthy
// (default 3).
func Retries(n int) HealthcheckOption {
	return healthFunc(func(c *healthConfig) {
		if n < 0 || int64(n) > math.MaxInt32 {
			c.errs = append(c.errs, fmt.Errorf("%w: healthcheck retries %d is outside 0-%d", ErrInvalidValue, n, math.MaxInt32))
			return
		}
		c.h.Retries = n
	})
}

// Healthcheck sets the image healthcheck to a command in exec form:
//
//	HEALTHCHECK --interval=10s CMD ["/app", "-health"]
func (s *Stage) Healthcheck(argv []string, opts ...HealthcheckOption) *Stage {
	defer s.lock()()
	if err := checkArgv("healthcheck", argv); err != nil {
		return s.fail("HEALTHCHECK", err)
	}
	return s.healthcheck(&ir.Healthcheck{Test: clone(argv)}, opts)
}

// HealthcheckShell sets the image healthcheck to a command for the image's
// shell, on one line:
//
//	HEALTHCHECK CMD wget -q --spider http://localhost:8080/ || exit 1
func (s *Stage) HealthcheckShell(cmd string, opts ...HealthcheckOption) *Stage {
	defer s.lock()()
	if err := checkHealthShell(cmd); err != nil {
		return s.fail("HEALTHCHECK", err)
	}
	return s.healthcheck(&ir.Healthcheck{Shell: true, Test: []string{cmd}}, opts)
}

// NoHealthcheck disables a healthcheck inherited from the base image:
//
//	HEALTHCHECK NONE
func (s *Stage) NoHealthcheck() *Stage {
	defer s.lock()()
	return s.add(instr{name: "HEALTHCHECK", ir: &ir.Healthcheck{None: true}})
}

func (s *Stage) healthcheck(h *ir.Healthcheck, opts []HealthcheckOption) *Stage {
	hc := &healthConfig{h: h}
	for _, o := range opts {
		if o != nil {
			o.applyHealthcheck(hc)
		}
	}
	if len(hc.errs) > 0 {
		return s.failAll("HEALTHCHECK", hc.errs)
	}
	return s.add(instr{name: "HEALTHCHECK", ir: h})
}
