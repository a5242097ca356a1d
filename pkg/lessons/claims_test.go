package lessons

import (
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// Every fact value a claim reads has a label in words, and no fact holds a
// placeholder constant for a claim to compare with (claims have Want).
func TestClaimValuesLabelled(t *testing.T) {
	for _, l := range All() {
		for _, c := range l.Claims {
			if c.Expect != experiment.Equal {
				if c.Metric.Name == "" || strings.ContainsAny(c.Metric.Name, "_.") {
					t.Errorf("%s: claim %q: metric name %q is not in words", l.Name, c.Text, c.Metric.Name)
				}
				continue
			}
			for _, name := range c.Values {
				if name == "" {
					continue // the claim's constant Want
				}
				fact, value, _ := strings.Cut(name, ".")
				found := false
				for _, f := range l.Facts {
					if f.Name == fact && f.Labels[value] != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: claim %q reads %s, which has no label", l.Name, c.Text, name)
				}
			}
		}
	}
}
