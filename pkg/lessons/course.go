// Package lessons is the course: its fourteen lessons, one declaration
// per file in course order (lNN_name.go: runs, facts and claims, as
// package experiment's types), with the code that measures their facts
// beside them (facts_name.go). Package experiment runs them: it trains
// the runs, computes the facts and judges the claims.
package lessons

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

var registry []*experiment.Lesson

// register adds a lesson, with its measured wall times (measuredMinutes);
// each lesson's file calls it.
func register(l *experiment.Lesson) *experiment.Lesson {
	l.Measured = measuredMinutes[l.Name]
	registry = append(registry, l)
	slices.SortFunc(registry, func(a, b *experiment.Lesson) int { return a.Number - b.Number })
	return l
}

// All returns the lessons in course order.
func All() []*experiment.Lesson { return slices.Clone(registry) }

// Names returns the lessons' names in course order.
func Names() []string {
	names := make([]string, len(registry))
	for i, l := range registry {
		names[i] = l.Name
	}
	return names
}

// Get returns the lesson with the given name (or number, as "5").
func Get(name string) (*experiment.Lesson, error) {
	for _, l := range registry {
		if l.Name == name || fmt.Sprint(l.Number) == name {
			return l, nil
		}
	}
	return nil, fmt.Errorf("unknown lesson %q (known: %s)", name, strings.Join(Names(), ", "))
}
