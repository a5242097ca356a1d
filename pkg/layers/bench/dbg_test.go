package bench

import (
	"os"
	"testing"
)

func TestDbg(t *testing.T) {
	if os.Getenv("DBG") == "" {
		t.Skip()
	}
	for _, m := range []string{"baseline"} {
		res, err := Run(Config{Model: m, Batch: 64, Steps: 5, WarmupSteps: 3, EvalSteps: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", res)
	}
}
