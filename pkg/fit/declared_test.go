package fit

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/internal/version"
)

// declaredModel is tinyModel with a declaration.
type declaredModel struct {
	Model
	decl string
}

func (d declaredModel) Declaration() json.RawMessage {
	if d.decl == "" {
		return nil
	}
	return json.RawMessage(d.decl)
}

// TestWeightsRecordModel: a weights file records the declaration of its
// model and the cnnlab version; loading it into a model declared otherwise
// fails naming both and their first difference, even when every variable
// shape matches; older files (no record) load by shapes.
func TestWeightsRecordModel(t *testing.T) {
	const (
		declA = `{"name":"a","preset":"baseline","width":0.25,"layers":["dense1: Dense(units=16)","dense2: Dense(units=10)"]}`
		declB = `{"name":"b","preset":"strided","width":0.25,"layers":["dense1: Dense(units=16)","dense2: Dense(units=10, stride=2)"]}`
	)
	compile := func(decl string) *Trainer {
		tr, err := Compile(testBackend(t), declaredModel{tinyModel(0), decl}, Options{InputShape: testShape, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "a.weights.ckpt")
	if err := compile(declA).SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	info, err := ReadWeightsInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if same, _ := firstDifference(info.Model, json.RawMessage(declA)); same != "" || info.Version != version.String() ||
		info.Kind != "weights" || len(info.Variables) != 4 {
		t.Errorf("ReadWeightsInfo = %+v, want the declaration, version %q, kind weights and 4 variables", info, version.String())
	}

	tests := []struct {
		name     string
		decl     string
		mentions []string // "" mentions: loads
	}{
		{"same model", declA, nil},
		{"same model, keys reordered", `{"layers":["dense1: Dense(units=16)","dense2: Dense(units=10)"],"width":0.25,"preset":"baseline","name":"a"}`, nil},
		{"another model", declB, []string{`"a" (preset baseline, width 0.25)`, `"b" (preset strided, width 0.25)`,
			`layers[1]: "dense2: Dense(units=10)" in the file, "dense2: Dense(units=10, stride=2)" in the model`}},
		{"an undeclared model", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := compile(tt.decl)
			err := tr.LoadWeights(path)
			if tt.mentions == nil {
				if err != nil {
					t.Fatalf("LoadWeights: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadWeights into another model succeeded")
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if _, err := tr.LoadCheckpoint(path); err == nil || !strings.Contains(err.Error(), "weights only") {
				// A weights file is refused as a checkpoint first.
				t.Errorf("LoadCheckpoint: %v", err)
			}
		})
	}

	// A full checkpoint is checked too.
	ckpt := filepath.Join(dir, "a.ckpt")
	if err := compile(declA).SaveCheckpoint(ckpt, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := compile(declB).LoadCheckpoint(ckpt); err == nil || !strings.Contains(err.Error(), `"b" (preset strided`) {
		t.Errorf("LoadCheckpoint into another model: %v, want an error naming it", err)
	}

	// An older file records no model: it loads by shapes, and says so.
	old := filepath.Join(dir, "old.weights.ckpt")
	a := compile(declA)
	if err := a.build(); err != nil {
		t.Fatal(err)
	}
	vars, err := a.collect(isWeightPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeCheckpoint(old, kindWeights, vars, nil, nil); err != nil {
		t.Fatal(err)
	}
	if info, err := ReadWeightsInfo(old); err != nil || info.Model != nil {
		t.Errorf("ReadWeightsInfo(old) = %+v, %v; want no model", info, err)
	}
	if err := compile(declB).LoadWeights(old); err != nil {
		t.Errorf("an older file into a model of the same shapes: %v", err)
	}
}
