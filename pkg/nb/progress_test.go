package nb

import (
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/fit"
)

func TestNotebookProgress(t *testing.T) {
	var ids []string
	var last string
	p := NewNotebookProgress(func(id, html string) { ids, last = append(ids, id), html })
	p.EpochBegin(0, 2, 3)
	p.Step(3, fit.Logs{"loss": 2})
	p.EpochEnd(0, fit.Logs{"loss": 2, "accuracy": 0.25})
	p.EpochBegin(1, 2, 3)
	p.Done()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("updates went to cells %v, want one", ids)
		}
	}
	if !strings.Contains(last, "Epoch 1/2 3/3") || !strings.Contains(last, "accuracy: 0.2500 - loss: 2.0000") {
		t.Errorf("final HTML lacks the epoch line: %s", last)
	}
}
