package nbgen

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/lessons"
)

// fitCell is what a training cell (a %% cell calling .Fit) sets.
type fitCell struct {
	model      string // the var given to fit.Compile
	batch      int    // FitOptions.BatchSize (Keras's 32 when absent)
	noShuffle  bool
	epochs     string  // FitOptions.Epochs as written
	scaling    string  // "", "minmax" or "zscore"
	reduce     bool    // fit.NewReduceLROnPlateau
	early      bool    // fit.NewEarlyStopping
	checkpoint bool    // fit.NewModelCheckpoint
	schedule   bool    // fit.Options.Schedule
	scheduleOf string  // the fit schedule constructor the cell calls, e.g. "CosineDecay"
	lr         float64 // fit.Adam's rate (0 when not a number literal)
	holdOut    float64 // FitOptions.ValidationHoldOut
}

func (f fitCell) String() string {
	return fmt.Sprintf("model %s, Adam %g, hold-out %g, batch %d, no shuffle %v, scaling %q, ReduceLROnPlateau %v, EarlyStopping %v, ModelCheckpoint %v, schedule %v",
		f.model, f.lr, f.holdOut, f.batch, f.noShuffle, f.scaling, f.reduce, f.early, f.checkpoint, f.schedule)
}

// parseFitCell reads the training settings of a %% cell's body.
func parseFitCell(src string) (fitCell, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc main() {\n"+src+"\n}", 0)
	if err != nil {
		return fitCell{}, err
	}
	fc := fitCell{batch: 32}
	compiles := 0
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			switch {
			case isSel(n.Fun, "fit", "Compile") && len(n.Args) >= 2:
				compiles++
				if id, ok := n.Args[1].(*ast.Ident); ok {
					fc.model = id.Name
				}
			case isSel(n.Fun, "fit", "NewReduceLROnPlateau"):
				fc.reduce = true
			case isSel(n.Fun, "fit", "NewEarlyStopping"):
				fc.early = true
			case isSel(n.Fun, "fit", "NewModelCheckpoint"):
				fc.checkpoint = true
			case (isSel(n.Fun, "fit", "Adam") && len(n.Args) == 1) || (isSel(n.Fun, "fit", "SGD") && len(n.Args) == 2):
				fc.lr = number(n.Args[0])
			case isSchedule(n.Fun) != "":
				fc.scheduleOf = isSchedule(n.Fun)
			case isSel(n.Fun, "cifar", "MinMaxScaling"):
				fc.scaling = "minmax"
			case isSel(n.Fun, "cifar", "ZScoreScaling"):
				fc.scaling = "zscore"
			}
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				key, _ := kv.Key.(*ast.Ident)
				if key == nil {
					continue
				}
				switch {
				case isSel(n.Type, "fit", "Options") && key.Name == "Schedule":
					fc.schedule = true
				case isSel(n.Type, "fit", "FitOptions") && key.Name == "BatchSize":
					lit, ok := kv.Value.(*ast.BasicLit)
					if !ok {
						err = fmt.Errorf("BatchSize is not a number literal")
						return false
					}
					fc.batch, _ = strconv.Atoi(lit.Value)
				case isSel(n.Type, "fit", "FitOptions") && key.Name == "ValidationHoldOut":
					fc.holdOut = number(kv.Value)
				case isSel(n.Type, "fit", "FitOptions") && key.Name == "NoShuffle":
					id, ok := kv.Value.(*ast.Ident)
					fc.noShuffle = ok && id.Name == "true"
				case isSel(n.Type, "fit", "FitOptions") && key.Name == "Epochs":
					fc.epochs = exprString(kv.Value)
				}
			}
		}
		return true
	})
	if err != nil {
		return fitCell{}, err
	}
	if compiles != 1 || fc.model == "" {
		return fitCell{}, fmt.Errorf("a training cell compiles one model var with fit.Compile(backend, model, …); found %d calls", compiles)
	}
	return fc, nil
}

// number returns the value of a number literal, or 0.
func number(e ast.Expr) float64 {
	lit, ok := e.(*ast.BasicLit)
	if !ok {
		return 0
	}
	v, err := strconv.ParseFloat(lit.Value, 64)
	if err != nil {
		return 0
	}
	return v
}

// isSchedule returns the name of the fit schedule that fun constructs, or "".
func isSchedule(fun ast.Expr) string {
	for _, name := range []string{"ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts"} {
		if isSel(fun, "fit", name) {
			return name
		}
	}
	return ""
}

// exprString returns an expression's source for the simple forms Epochs takes:
// "epochs", "3 * epochs", "12".
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.BasicLit:
		return e.Value
	case *ast.BinaryExpr:
		return exprString(e.X) + " " + e.Op.String() + " " + exprString(e.Y)
	}
	return "?"
}

// epochsOf evaluates a cell's Epochs with epochs = the preset's.
func epochsOf(expr string, epochs int) (int, bool) {
	if expr == "epochs" {
		return epochs, true
	}
	if k, ok := strings.CutSuffix(expr, " * epochs"); ok {
		n, err := strconv.Atoi(k)
		return n * epochs, err == nil
	}
	n, err := strconv.Atoi(expr)
	return n, err == nil
}

// matches reports whether a training cell trains run r of settings s,
// given the config of the cell's model.
func (f fitCell) matches(r experiment.RunSpec, s experiment.Settings, config, runConfig []string) bool {
	epochs, ok := epochsOf(f.epochs, s.Epochs)
	if rc := r.Recipe; rc != nil { // the recipe's batch, rate (SGD's), epochs and schedule
		return slices.Equal(config, runConfig) && f.batch == rc.BatchSize && f.lr == rc.LearningRate &&
			f.holdOut == s.HoldOut && !f.noShuffle && f.scaling == r.Scaling && f.schedule == rc.Triangular &&
			!f.reduce && !f.early && !f.checkpoint && (!ok && s.Full() || ok && epochs == rc.Epochs)
	}
	return slices.Equal(config, runConfig) &&
		f.batch == cmp.Or(r.BatchSize, s.BatchSize) &&
		f.lr == cmp.Or(r.LearningRate, s.LearningRate) && f.holdOut == s.HoldOut &&
		f.noShuffle == (r.Order != "") &&
		f.scaling == r.Scaling &&
		f.reduce == (r.ReduceLR != nil) && f.early == (r.EarlyStop != nil) && f.checkpoint == r.CheckpointBest &&
		f.schedule == (r.Schedule != nil) &&
		(r.Schedule == nil || f.scheduleOf == r.Schedule(1000, 1e-3).Name()) &&
		(!ok && s.Full() || ok && epochs == cmp.Or(r.Epochs, s.Epochs))
}

// closest returns the first line where config differs from the nearest
// of the runs' configs, to say why a notebook model is none of them.
func closest(config []string, runs map[string][]string) string {
	best, bestSame := "", -1
	for label, rc := range runs {
		same := 0
		for i := range min(len(rc), len(config)) {
			if rc[i] == config[i] {
				same++
			}
		}
		if same > bestSame || same == bestSame && label < best {
			best, bestSame = label, same
		}
	}
	rc := runs[best]
	for i := range max(len(rc), len(config)) {
		a, b := "(none)", "(none)"
		if i < len(config) {
			a = config[i]
		}
		if i < len(rc) {
			b = rc[i]
		}
		if a != b {
			return fmt.Sprintf("nearest run %q differs at layer %d:\n  notebook: %s\n  lesson:   %s", best, i, a, b)
		}
	}
	return "nearest run " + best
}

// TestNotebookModels: every model a lesson notebook declares layer by
// layer (var X = nn.Sequential(…)) is the model of one of the lesson's
// runs at width 1 (the same layers, options, initializers and parameter
// count; BatchNorm momentum the preset's), every run's model is declared,
// and every training cell trains one run of its own: the same model,
// Adam's (or a recipe's SGD) rate, hold-out, batch size, shuffling, scaling, callbacks,
// schedule and epochs, in the quick or the full preset. So the cells and the experiment below them cannot
// drift apart.
func TestNotebookModels(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program of the notebooks' declarations")
	}
	var books []*book
	for _, l := range lessons.All() {
		if l.Runs != nil {
			books = append(books, readBook(t, l))
		}
	}
	presets := []string{"quick", "full"}
	got := notebookModels(t, books, presets)
	for _, b := range books {
		name := FileName(b.lesson)
		if len(b.models) == 0 {
			t.Errorf("%s declares no model layer by layer (var X = nn.Sequential(…))", name)
			continue
		}
		var fits []fitCell
		for _, c := range b.mains {
			if !strings.Contains(c.src, ".Fit(") {
				continue
			}
			fc, err := parseFitCell(c.src)
			if err != nil {
				t.Errorf("%s cell %s: %v", name, c.id, err)
				continue
			}
			fits = append(fits, fc)
		}
		if len(fits) == 0 {
			t.Errorf("%s has no training cell (.Fit)", name)
		}
		trained := make([]map[string]bool, len(fits)) // cell → the labels of the runs it trains
		for i := range trained {
			trained[i] = map[string]bool{}
		}
		for _, p := range presets {
			s, err := experiment.SettingsFor(p)
			if err != nil {
				t.Fatal(err)
			}
			runs := b.lesson.Runs(s)
			s.Width = 1
			want := map[string][]string{}
			params := map[string]int{}
			for _, r := range runs {
				m, err := s.RunModel(r)
				if err != nil {
					t.Fatalf("%s run %s: %v", b.lesson.Name, r.Label, err)
				}
				want[r.Label] = m.Config()
				tr, ntr := m.NumParams()
				params[r.Label] = tr + ntr
			}
			declaredRuns := map[string]bool{}
			for _, v := range b.models {
				d := got[p][name][v]
				if d.Err != "" {
					t.Errorf("%s (%s): model %s: %s", name, p, v, d.Err)
					continue
				}
				found := false
				for label, config := range want {
					if slices.Equal(d.Config, config) && d.Params == params[label] {
						declaredRuns[label], found = true, true
					}
				}
				if !found {
					t.Errorf("%s (%s): model %s is none of the lesson's models; %s", name, p, v, closest(d.Config, want))
				}
			}
			for _, r := range runs {
				if !declaredRuns[r.Label] {
					t.Errorf("%s (%s): the model of the lesson's run %q is not declared in the notebook", name, p, r.Label)
				}
			}
			for i, fc := range fits {
				d, ok := got[p][name][fc.model]
				if !ok {
					t.Errorf("%s: a training cell trains %s, which is not a model declared with nn.Sequential", name, fc.model)
					continue
				}
				for _, r := range runs {
					if fc.matches(r, s, d.Config, want[r.Label]) {
						trained[i][r.Label] = true
					}
				}
			}
		}
		for i, fc := range fits {
			if len(trained[i]) == 0 {
				t.Errorf("%s: a training cell's settings are none of the lesson's runs: %s, epochs %q", name, fc, fc.epochs)
			}
		}
		if !distinctRuns(trained) {
			t.Errorf("%s: two training cells train the same run of the lesson (runs each cell matches: %v)", name, trained)
		}
	}
}

// distinctRuns reports whether every cell can be given a run of its own
// among those it matches (a bipartite matching, by augmenting paths).
func distinctRuns(cells []map[string]bool) bool {
	owner := map[string]int{} // run label → cell
	var assign func(cell int, seen map[string]bool) bool
	assign = func(cell int, seen map[string]bool) bool {
		for label := range cells[cell] {
			if seen[label] {
				continue
			}
			seen[label] = true
			if o, taken := owner[label]; !taken || assign(o, seen) {
				owner[label] = cell
				return true
			}
		}
		return false
	}
	for i, c := range cells {
		if len(c) > 0 && !assign(i, map[string]bool{}) {
			return false
		}
	}
	return true
}

func TestParseFitCell(t *testing.T) {
	src := `b, _, err := backend.New()
tr := nb.Must(fit.Compile(b, bn, fit.Options{Optimizer: fit.Adam(1e-3), Schedule: fit.CosineDecay(1e-3, 100)}))
reduce := fit.NewReduceLROnPlateau()
hist := nb.Must(tr.Fit(train.Scaled(cifar.MinMaxScaling(train)), fit.FitOptions{Epochs: 3 * epochs, BatchSize: 16, NoShuffle: true, ValidationHoldOut: 0.15, Callbacks: []fit.Callback{reduce}}))`
	got, err := parseFitCell(src)
	if err != nil {
		t.Fatal(err)
	}
	want := fitCell{model: "bn", batch: 16, noShuffle: true, epochs: "3 * epochs", scaling: "minmax", reduce: true, schedule: true, scheduleOf: "CosineDecay", lr: 1e-3, holdOut: 0.15}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if n, ok := epochsOf(got.epochs, 4); !ok || n != 12 {
		t.Errorf("epochsOf = %d, %v", n, ok)
	}
	s, _ := experiment.SettingsFor("quick")
	run := experiment.RunSpec{Label: "x", BatchSize: 16, Order: "fixed", Scaling: "minmax", Epochs: 12, ReduceLR: &experiment.ReduceLR{}}
	if got.matches(run, s, []string{"a"}, []string{"a"}) {
		t.Error("a cell with a schedule matches a run without one")
	}
	run.Schedule = func(steps int, lr float64) fit.Schedule { return fit.ExponentialDecay(lr, 1, 0.5, false) }
	if got.matches(run, s, []string{"a"}, []string{"a"}) {
		t.Error("a cosine schedule matches an exponential one")
	}
	run.Schedule = nil
	got.schedule = false
	if !got.matches(run, s, []string{"a"}, []string{"a"}) {
		t.Error("the cell does not match its run")
	}
	if got.matches(run, s, []string{"a"}, []string{"b"}) {
		t.Error("different models match")
	}
	if !distinctRuns([]map[string]bool{{"a": true, "b": true}, {"a": true}}) || distinctRuns([]map[string]bool{{"a": true}, {"a": true}}) {
		t.Error("distinctRuns is wrong")
	}
	if _, err := parseFitCell("x := 1"); err == nil {
		t.Error("a cell without fit.Compile parses as a training cell")
	}
}
