package report_test

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/report"
)

// The claims of one lesson at two sizes, side by side: the quick preset
// found no clear difference, the standard one agrees, and the full preset
// has not run.
func ExampleClaimsMarkdown() {
	quick := &experiment.Results{Verdicts: []experiment.Verdict{
		{Claim: "GAP has far fewer parameters", Metric: "parameters", MeanA: 73965, MeanB: 227340, Outcome: experiment.Agrees},
		{Claim: "GAP generalizes at least as well", Metric: "test accuracy", MeanA: 0.3105, MeanB: 0.3395, Outcome: experiment.Unclear},
	}}
	standard := &experiment.Results{Verdicts: []experiment.Verdict{
		{Claim: "GAP has far fewer parameters", Metric: "parameters", MeanA: 295716, MeanB: 904718, Outcome: experiment.Agrees},
		{Claim: "GAP generalizes at least as well", Metric: "test accuracy", MeanA: 0.6632, MeanB: 0.6501, Outcome: experiment.Agrees},
	}}
	fmt.Print(report.ClaimsMarkdown([]string{"quick", "standard", "full"}, []*experiment.Results{quick, standard, nil}))
	// Output:
	// | the course says | quick | standard | full |
	// |---|---|---|---|
	// | GAP has far fewer parameters | **agrees with the course** (73965 vs 227340) | **agrees with the course** (295716 vs 904718) | not run |
	// | GAP generalizes at least as well | **no clear difference at this size** (0.3105 vs 0.3395) | **agrees with the course** (0.6632 vs 0.6501) | not run |
}
