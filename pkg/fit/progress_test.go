package fit

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"testing"
	"time"
)

func TestProgressFormats(t *testing.T) {
	tests := []struct {
		v    Verbosity
		want *regexp.Regexp
	}{
		{ProgressBar, regexp.MustCompile(`^Epoch 1/2\n2/2 ━━━━━━━━━━━━━━━━━━━━ \d+s \d+[mu]?s/step - accuracy: 0\.\d{4} - learning_rate: 0\.0010 - loss: \d\.\d{4}\n` +
			`Epoch 2/2\n2/2 ━{20} \d+s \d+[mu]?s/step - accuracy: 0\.\d{4} - learning_rate: 0\.0010 - loss: \d\.\d{4}\n$`)},
		{OneLine, regexp.MustCompile(`^Epoch 1/2\n2/2 - \d+s - \d+[mu]?s/step - accuracy: 0\.\d{4} - learning_rate: 0\.0010 - loss: \d\.\d{4}\nEpoch 2/2\n`)},
		{Silent, regexp.MustCompile(`^$`)},
	}
	for _, tc := range tests {
		tr := newTiny(t, Options{})
		var out bytes.Buffer
		if _, err := tr.Fit(synthetic(40, 1), FitOptions{Epochs: 2, BatchSize: 20, Verbose: tc.v, Output: &out}); err != nil {
			t.Fatal(err)
		}
		if !tc.want.MatchString(out.String()) {
			t.Errorf("verbose %d printed:\n%s\nwant it to match %s", tc.v, out.String(), tc.want)
		}
	}
}

func TestProgressHelpers(t *testing.T) {
	if got := Bar(5, 20, 10); got != "━━────────" {
		t.Errorf("Bar(5,20,10) = %q", got)
	}
	for d, want := range map[time.Duration]string{45 * time.Second: "45s", 83 * time.Second: "1:23", 3723 * time.Second: "1:02:03"} {
		if got := FormatETA(d); got != want {
			t.Errorf("FormatETA(%v) = %q, want %q", d, got, want)
		}
	}
	if got := FormatLogs(Logs{"loss": 1.23456, "lr": 0.0001, "epoch": 3, "time": 9}); got != " - loss: 1.2346 - lr: 1.0000e-04" {
		t.Errorf("FormatLogs = %q", got)
	}
}

func TestHistoryJSON(t *testing.T) {
	h := &History{Epochs: []Logs{{"loss": math.NaN(), "epoch": 0}, {"loss": 1.5, "epoch": 1}}}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `[{"epoch":0,"loss":"nan"},{"epoch":1,"loss":1.5}]` {
		t.Errorf("JSON = %s", data)
	}
	// What it writes, and what history.json files held before
	// internal/jsonfloat (null for NaN), read back alike.
	for _, in := range []string{string(data), `[{"epoch":0,"loss":null},{"epoch":1,"loss":1.5}]`} {
		var back History
		if err := json.Unmarshal([]byte(in), &back); err != nil {
			t.Fatal(err)
		}
		if got := back.Get("loss"); !math.IsNaN(got[0]) || got[1] != 1.5 {
			t.Errorf("%s: round trip loss = %v", in, got)
		}
	}
}
