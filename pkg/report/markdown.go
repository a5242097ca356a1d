package report

import (
	"fmt"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// LessonMarkdown summarizes a lesson's results in Markdown, for
// docs/RESULTS.md: the preset and machine, the verdicts and the runs table.
func LessonMarkdown(r *experiment.Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Lesson %d — %s (%s)\n\n%s\n\n", r.Number, r.Title, r.Korean, MetaLine(r))
	if !r.Complete() {
		fmt.Fprintf(&b, "Partial: %d of %d runs.\n\n", len(r.Runs), r.Planned)
	}
	if len(r.Verdicts) > 0 {
		b.WriteString("| the course says | measured | verdict |\n|---|---|---|\n")
		for _, v := range r.Verdicts {
			fmt.Fprintf(&b, "| %s | %s | **%s** |\n", cell(v.Claim), cell(measured(v)), v.Result())
		}
		b.WriteString("\n")
	}
	if len(r.Runs) > 0 {
		b.WriteString(markdownTable(RunsTable(r)))
	}
	return b.String()
}

// markdownTable renders a table in Markdown.
func markdownTable(t *experiment.Table) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(mapCells(t.Header), " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(t.Header)) + "\n")
	for _, row := range t.Rows {
		b.WriteString("| " + strings.Join(mapCells(row), " | ") + " |\n")
	}
	return b.String() + "\n"
}

func mapCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = cell(c)
	}
	return out
}

// cell escapes a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
