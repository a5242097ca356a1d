package report

import (
	"fmt"
	"math"
	"strconv"
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

// ClaimsMarkdown returns one Markdown table of the claims of a lesson
// judged at several sizes, for docs/RESULTS.md: a row per claim (the
// course's words), a column per preset with its verdict and the two
// compared means. presets names the columns; rs holds the same lesson's
// results in that order, nil where that preset has not run (its column
// then reads "not run"). Claims are matched by their text; the rows
// follow the first results that hold any.
func ClaimsMarkdown(presets []string, rs []*experiment.Results) string {
	var claims []string
	seen := map[string]bool{}
	byPreset := make([]map[string]experiment.Verdict, len(rs))
	for i, r := range rs {
		byPreset[i] = map[string]experiment.Verdict{}
		if r == nil {
			continue
		}
		for _, v := range r.Verdicts {
			byPreset[i][v.Claim] = v
			if !seen[v.Claim] {
				seen[v.Claim] = true
				claims = append(claims, v.Claim)
			}
		}
	}
	if len(claims) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| the course says |")
	for _, p := range presets {
		b.WriteString(" " + cell(p) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(presets)) + "\n")
	for _, c := range claims {
		b.WriteString("| " + cell(c) + " |")
		for i := range presets {
			b.WriteString(" " + cell(shortVerdict(rs[i], byPreset[i], c)) + " |")
		}
		b.WriteString("\n")
	}
	return b.String() + "\n"
}

// shortVerdict is one cell of ClaimsMarkdown: the outcome in bold and the
// two means, e.g. "**agrees with the course** (0.6532 vs 0.612)".
func shortVerdict(r *experiment.Results, vs map[string]experiment.Verdict, claim string) string {
	if r == nil {
		return "not run"
	}
	v, ok := vs[claim]
	switch {
	case !ok:
		return "not judged"
	case v.Outcome == experiment.NotMeasured:
		return "**" + v.Result() + "**"
	}
	return fmt.Sprintf("**%s** (%s vs %s)", v.Result(), mean(float64(v.MeanA)), mean(float64(v.MeanB)))
}

// mean formats a compared mean: whole numbers (parameter counts) in full,
// others to four significant digits.
func mean(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}
