package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/version"
	"github.com/cnnlab/cnnlab/pkg/fit"
)

// classColor is the mean colour of class c in the synthetic dataset.
func classColor(c int) [3]float64 {
	return [3]float64{float64(25 * c), float64(255 - 25*c), float64(60 + 15*(c%4))}
}

// trainArchive writes a small CIFAR-10 binary archive whose images are
// their class colour plus noise, sorted by class like the shared archive,
// and returns its path.
func trainArchive(t *testing.T, nTrain, nTest int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	mk := func(n int) *cifar.Dataset {
		d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
		for i := range n {
			c := i * cifar.NumClasses / n // class-sorted
			d.Labels[i] = uint8(c)
			col := classColor(c)
			for p := range cifar.ImageSize {
				v := col[p%3] + r.NormFloat64()*40
				d.Images[i*cifar.ImageSize+p] = uint8(max(0, min(255, v)))
			}
		}
		return d
	}
	path := filepath.Join(t.TempDir(), "cifar-10-binary.tar.gz")
	var buf bytes.Buffer
	if err := cifar.WriteBinaryArchive(&buf, &cifar.Data{Train: mk(nTrain), Test: mk(nTest)}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readHistory(t *testing.T, path string) *fit.History {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h fit.History
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &h
}

func withoutTime(h *fit.History) []fit.Logs {
	var out []fit.Logs
	for _, l := range h.Epochs {
		c := fit.Logs{}
		for k, v := range l {
			if k != "time" {
				c[k] = v
			}
		}
		out = append(out, c)
	}
	return out
}

// TestTrainCallbackExperiment runs the course's callback experiment at
// small scale: the baseline at width 1/8 on 240 images (a seeded --limit of
// a class-sorted archive), a seeded 20% hold-out, ReduceLROnPlateau,
// EarlyStopping with restore_best_weights and a ModelCheckpoint per epoch;
// then resumes from the epoch-2 checkpoint, predicts an image and checks
// the errors.
func TestTrainCallbackExperiment(t *testing.T) {
	data := trainArchive(t, 400, 20)
	out := t.TempDir()
	common := []string{"--data", data, "--model", "baseline", "--width", "0.125", "--limit", "240",
		"--epochs", "4", "--batch-size", "32", "--seed", "3", "--val-holdout", "0.2",
		"--reduce-lr-patience", "1", "--reduce-lr-factor", "0.5", "--early-stop-patience", "3", "--restore-best",
		"--checkpoint", "w.{epoch:02d}-{val_loss:.2f}.ckpt", "--verbose", "2"}
	code, stdout, stderr := runCLI(t, append([]string{"train", "--out", out, "--test"}, common...)...)
	if code != 0 {
		t.Fatalf("train exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "backend: ") || !strings.Contains(stdout, "Epoch 1/4") || !strings.Contains(stdout, "test: loss") {
		t.Errorf("output lacks the backend, epoch or test lines:\n%s\n%s", stdout, stderr)
	}
	trainTest := stdout[strings.Index(stdout, "test: loss"):]
	h := readHistory(t, filepath.Join(out, "history.json"))
	if len(h.Epochs) == 0 || len(h.Epochs) > 4 {
		t.Fatalf("history has %d epochs", len(h.Epochs))
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} {
		if v, ok := h.Epochs[0][k]; !ok || math.IsNaN(v) {
			t.Errorf("history.json lacks %q: %v", k, h.Epochs[0])
		}
	}
	if lr := h.Epochs[0]["learning_rate"]; math.Abs(lr-1e-3) > 1e-9 {
		t.Errorf("first learning rate %v, want Adam's 1e-3", lr)
	}
	// One checkpoint per epoch, named from that epoch's logs.
	for e, l := range h.Epochs {
		name, _ := fit.FormatPath("w.{epoch:02d}-{val_loss:.2f}.ckpt", map[string]any{"epoch": e + 1, "val_loss": l["val_loss"]})
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing checkpoint %s", name)
		}
	}
	if len(h.Epochs) < 3 {
		t.Skip("stopped before epoch 3: no resume check")
	}

	// Kill-and-resume: continuing from epoch 2's checkpoint gives the same history.
	ckpts, _ := filepath.Glob(filepath.Join(out, "w.02-*.ckpt"))
	out2 := t.TempDir()
	code, stdout, stderr = runCLI(t, append([]string{"train", "--out", out2, "--resume", ckpts[0]}, common...)...)
	if code != 0 {
		t.Fatalf("resumed train exit %d\n%s\n%s", code, stdout, stderr)
	}
	if got, want := withoutTime(readHistory(t, filepath.Join(out2, "history.json"))), withoutTime(h); !reflect.DeepEqual(got, want) {
		t.Errorf("resumed history differs:\n got %v\nwant %v", got, want)
	}

	// Resuming with another --lr is refused (the checkpoint's rate would
	// win silently); the run's own --lr is accepted, as above.
	code, _, stderr = runCLI(t, append([]string{"train", "--out", t.TempDir(), "--resume", ckpts[0], "--lr", "1e-12"}, common...)...)
	if code != 2 || !strings.Contains(stderr, "started at learning rate 0.001") {
		t.Errorf("resume with another --lr: exit %d, %s", code, stderr)
	}

	// Predict an image of class 7's colour.
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	col := classColor(7)
	for y := range 32 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(col[0]), uint8(col[1]), uint8(col[2]), 255})
		}
	}
	var png7 bytes.Buffer
	_ = png.Encode(&png7, img)
	imgPath := filepath.Join(out, "seven.png")
	_ = os.WriteFile(imgPath, png7.Bytes(), 0o644)
	weights := filepath.Join(out, "final.weights.ckpt")
	code, stdout, stderr = runCLI(t, "predict", "--weights", weights, "--model", "baseline", "--width", "0.125", "--image", imgPath, "--json")
	if code != 0 {
		t.Fatalf("predict exit %d\n%s\n%s", code, stdout, stderr)
	}
	var pred predictionJSON
	if err := json.Unmarshal([]byte(stdout), &pred); err != nil {
		t.Fatalf("predict --json printed %q: %v", stdout, err)
	}
	sum, best := 0.0, ""
	for c, p := range pred.Probabilities {
		sum += p
		if best == "" || p > pred.Probabilities[best] {
			best = c
		}
	}
	if len(pred.Probabilities) != 10 || math.Abs(sum-1) > 1e-4 || pred.Class != best || cifar.Classes[pred.ClassIndex] != pred.Class {
		t.Errorf("prediction %+v: want 10 probabilities summing to 1 and the class of the largest", pred)
	}
	// evaluate gives the test line train printed for the same weights; with
	// --update-statistics, a model without BatchNorm has no statistics to
	// update, so the second evaluation gives the same loss and accuracy.
	code, stdout, stderr = runCLI(t, "evaluate", "--data", data, "--weights", weights, "--model", "baseline", "--width", "0.125",
		"--update-statistics", "100")
	if code != 0 {
		t.Fatalf("evaluate exit %d\n%s\n%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || lines[0] != strings.TrimSpace(trainTest) ||
		!strings.HasSuffix(lines[1], strings.TrimPrefix(strings.TrimSuffix(lines[0], " (20 images)"), "test:")) {
		t.Errorf("evaluate printed %q, want train's %q twice", lines, trainTest)
	}
	code, stdout, _ = runCLI(t, "predict", "--weights", weights, "--model", "baseline", "--width", "0.125", "--image", imgPath)
	if code != 0 || !strings.HasPrefix(stdout, "class: ") || strings.Count(stdout, "\n") != 11 {
		t.Errorf("predict printed %q", stdout)
	}

	// The file records its model: predict needs neither --model nor
	// --width; another model or width is an error naming both models.
	code, stdout, stderr = runCLI(t, "predict", "--weights", weights, "--image", imgPath, "--json")
	if code != 0 || !strings.Contains(stdout, `"class": "`+pred.Class+`"`) {
		t.Errorf("predict with the file's model: exit %d, stdout %q, stderr %q; want class %s", code, stdout, stderr, pred.Class)
	}
	for _, wrong := range [][]string{{"--width", "0.25"}, {"--model", "strided"}, {"--model", "strided", "--width", "0.125"}} {
		args := append([]string{"predict", "--weights", weights, "--image", imgPath}, wrong...)
		code, _, stderr = runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, wrong[0]+" "+wrong[1]) || !strings.Contains(stderr, `"baseline_w0.125" (preset baseline, width 0.125)`) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the flag and the file's model", wrong, code, stderr)
		}
	}

	// A file written before weights files recorded their model loads into
	// --model and --width by shapes, with a one-line warning; without
	// --model it is a usage error; a wrong width names the variable and
	// hints at the flags.
	old := filepath.Join(out, "old.weights.ckpt")
	writeWithoutModel(t, weights, old)
	code, stdout, stderr = runCLI(t, "predict", "--weights", old, "--model", "baseline", "--width", "0.125", "--image", imgPath, "--json")
	if code != 0 || !strings.Contains(stdout, `"class": "`+pred.Class+`"`) || strings.Count(stderr, "warning") != 1 ||
		!strings.Contains(stderr, "records no model") {
		t.Errorf("predict with an older file: exit %d, stdout %q, stderr %q; want the same class and one warning", code, stdout, stderr)
	}
	if code, _, stderr = runCLI(t, "predict", "--weights", old, "--image", imgPath); code != 2 || !strings.Contains(stderr, "--model") {
		t.Errorf("an older file without --model: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "predict", "--weights", old, "--model", "baseline", "--width", "0.25", "--image", imgPath)
	if code != 1 || !strings.Contains(stderr, "variable /") || !strings.Contains(stderr, "are --model and --width") {
		t.Errorf("an older file into the wrong width: exit %d, stderr %q", code, stderr)
	}
}

// writeWithoutModel copies the weights file src to dst without the model
// declaration and version in its header: a file as cnnlab wrote them before
// it recorded them.
func writeWithoutModel(t *testing.T, src, dst string) {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[8:16])
	var h map[string]json.RawMessage
	if err := json.Unmarshal(raw[16:16+n], &h); err != nil {
		t.Fatal(err)
	}
	if h["model"] == nil {
		t.Fatalf("%s records no model", src)
	}
	delete(h, "model")
	delete(h, "cnnlab_version")
	hdr, _ := json.Marshal(h)
	out := append([]byte{}, raw[:8]...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(hdr)))
	out = append(append(out, hdr...), raw[16+n:]...)
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTrainPredictUsage(t *testing.T) {
	tests := []struct {
		args    []string
		mention string
	}{
		{[]string{"train", "--data", "d", "--out", "x"}, "--model"},
		{[]string{"train", "--data", "d", "--model", "baseline"}, "--out"},
		{[]string{"train", "--data", "d", "--model", "baseline", "--out", "x", "--epochs", "0"}, "--epochs"},
		{[]string{"train", "--data", "d", "--model", "baseline", "--out", "x", "--val-split", "0.1", "--val-holdout", "0.2"}, "either"},
		{[]string{"train", "--data", "d", "--model", "baseline", "--out", "x", "--order", "random"}, "--order"},
		{[]string{"train", "--data", "d", "--model", "baseline", "--out", "x", "--order", "sorted", "--no-shuffle"}, "either --no-shuffle or --order"},
		{[]string{"train", "--data", "d", "--model", "baseline", "--out", "x", "--reduce-lr-factor", "1"}, "--reduce-lr-factor"},
		{[]string{"train", "--data", "d", "--model", "baseline", "--out", "x", "--optimizer", "rmsprop"}, "--optimizer"},
		{[]string{"train", "--data", "d", "--model", "nope", "--out", "x"}, "nope"},
		{[]string{"predict", "--model", "baseline", "--image", "i.png"}, "--weights"},
		{[]string{"predict", "--weights", "w", "--model", "baseline"}, "--image"},
		{[]string{"evaluate", "--model", "baseline"}, "--weights"},
		{[]string{"evaluate", "--weights", "w", "--model", "nope"}, "nope"},
		{[]string{"predict", "--weights", "w", "--width", "0", "--image", "i.png"}, "--width"},
		{[]string{"evaluate", "--weights", "w", "--model", "bn", "--update-statistics", "-1"}, "--update-statistics"},
		{[]string{"evaluate", "--weights", "w", "--tta", "flip"}, "--tta"},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.mention) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message about %s", tc.args, code, stderr, tc.mention)
		}
	}
	// Without --data, train loads $CNNLAB_DATASET (never the network here):
	// a missing file is a runtime error naming it.
	t.Setenv(cifar.EnvDataset, "/nonexistent/cifar.tar.gz")
	code, _, stderr := runCLI(t, "train", "--model", "baseline", "--out", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "/nonexistent/cifar.tar.gz") {
		t.Errorf("train with a missing $%s: exit %d, stderr %q", cifar.EnvDataset, code, stderr)
	}
	// A missing image or weights file is a runtime error (exit 1) naming
	// it, without hints about other flags.
	code, _, stderr = runCLI(t, "predict", "--weights", "w", "--model", "baseline", "--image", "/nonexistent.png")
	if code != 1 || !strings.Contains(stderr, "/nonexistent.png") {
		t.Errorf("missing image: exit %d, stderr %q", code, stderr)
	}
	var blank bytes.Buffer
	_ = png.Encode(&blank, image.NewRGBA(image.Rect(0, 0, 32, 32)))
	img := filepath.Join(t.TempDir(), "i.png")
	if err := os.WriteFile(img, blank.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "predict", "--weights", "/nonexistent.ckpt", "--model", "baseline", "--image", img)
	if code != 1 || !strings.Contains(stderr, "/nonexistent.ckpt") || strings.Contains(stderr, "--model") {
		t.Errorf("missing weights: exit %d, stderr %q; want 1, the file, no hint about --model", code, stderr)
	}
}

// TestTrainScheduleAndCSV trains with a Keras schedule and a CSV log: the
// rate follows the schedule, the CSV holds every epoch.
func TestTrainScheduleAndCSV(t *testing.T) {
	data := trainArchive(t, 200, 20)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "train", "--data", data, "--model", "gap", "--width", "0.125", "--epochs", "2",
		"--batch-size", "34", "--lr-schedule", "exponential:decay_steps=5,decay_rate=0.5", "--csv-log", "log.csv", "--verbose", "0", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	h := readHistory(t, filepath.Join(out, "history.json"))
	// 170 training images in batches of 34: 5 steps an epoch; the last
	// steps are 4 and 9: 1e-3·0.5^(4/5) and 1e-3·0.5^(9/5).
	for e, step := range []float64{4, 9} {
		want := 1e-3 * math.Pow(0.5, step/5)
		if got := h.Epochs[e]["learning_rate"]; math.Abs(got-want) > 1e-9 {
			t.Errorf("epoch %d learning_rate %g, want %g", e+1, got, want)
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "log.csv"))
	if err != nil || strings.Count(string(raw), "\r\n") != 3 || !strings.HasPrefix(string(raw), "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss") {
		t.Errorf("log.csv: %v\n%s", err, raw)
	}
	for _, bad := range [][]string{{"--lr-schedule", "warp:x=1"}, {"--lr-schedule", "cosine:decay_steps=10", "--reduce-lr-patience", "2"}} {
		args := append([]string{"train", "--data", data, "--model", "gap", "--out", out}, bad...)
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.Contains(stderr, "--lr-schedule") {
			t.Errorf("%v: exit %d, %s", bad, code, stderr)
		}
	}
}

// TestTrainFastRecipeFlags trains with every flag of the airbench-style
// recipe (Nesterov SGD with decoupled weight decay, BN betas excluded, EMA,
// label smoothing, alternating flip, the one-cycle schedule, test-time
// augmentation of the test evaluation), with the images sorted by class
// (--order): it runs, run.json records them, and the rate follows
// PyTorch's OneCycleLR.
func TestTrainFastRecipeFlags(t *testing.T) {
	data := trainArchive(t, 200, 20)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "train", "--data", data, "--model", "bn", "--width", "0.125", "--epochs", "2",
		"--batch-size", "34", "--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.85", "--nesterov",
		"--weight-decay", "5e-4", "--exclude-from-weight-decay", "beta,bias", "--lr-multipliers", "beta$=64", "--use-ema", "--ema-momentum", "0.9",
		"--label-smoothing", "0.2", "--alternating-flip", "--lr-schedule", "one_cycle:total_steps=10,pct_start=0.3,div_factor=5,final_div_factor=inf",
		"--order", "sorted", "--test", "--tta", "mirror_translate", "--verbose", "0", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "test-time augmentation mirror_translate") {
		t.Errorf("test line without the TTA: %s", stdout)
	}
	// evaluate --tta gives the test accuracy train printed for the same
	// weights and the same augmentation (its loss is the plain
	// cross-entropy: the file does not hold train's label smoothing).
	trainTest := stdout[strings.Index(stdout, "accuracy "):]
	code, evalOut, stderr := runCLI(t, "evaluate", "--data", data, "--weights", filepath.Join(out, "final.weights.ckpt"), "--tta", "mirror_translate")
	if code != 0 || !strings.HasSuffix(evalOut, trainTest) {
		t.Errorf("evaluate --tta mirror_translate: exit %d, printed %q, want train's %q\n%s", code, evalOut, trainTest, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"nesterov": true`, `"weight_decay": 0.0005`, `"beta"`, `"ema_momentum": 0.9`,
		`"label_smoothing": 0.2`, `"lr_multipliers": "beta$=64"`, `"alternating_flip": true`, `"tta": "mirror_translate"`, `"lr_schedule": "one_cycle:`,
		`"shuffle": false`, `"order": "sorted"`, `"order": "sorted by class, the same every epoch"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("run.json lacks %s:\n%s", want, raw)
		}
	}
	// 5 steps an epoch; OneCycleLR(0.1, 10 steps, 30%, /5, /inf): 0.02 at
	// step 0 up to 0.1 at step 2, down to 0 at step 9; epoch 1 ends at
	// step 4: 0.1·(1 − 2/7).
	h := readHistory(t, filepath.Join(out, "history.json"))
	for e, want := range []float64{0.1 * 5 / 7, 0} {
		if got := h.Epochs[e]["learning_rate"]; math.Abs(got-want) > 1e-7 {
			t.Errorf("epoch %d learning_rate %g, want %g", e+1, got, want)
		}
	}
}

// TestEvaluateBatchNormLag: for a BatchNorm model, evaluate
// --update-statistics prints how far each of its six BatchNorm layers'
// moving means moved (non-negative, not all zero: one epoch of 3 steps at
// momentum 0.99 leaves the averages near their initial values), between
// the two test lines.
func TestEvaluateBatchNormLag(t *testing.T) {
	data := trainArchive(t, 120, 20)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "train", "--data", data, "--model", "bn", "--width", "0.125", "--limit", "96",
		"--epochs", "1", "--batch-size", "32", "--val-holdout", "0", "--verbose", "0", "--out", out)
	if code != 0 {
		t.Fatalf("train exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "evaluate", "--data", data, "--model", "bn", "--width", "0.125",
		"--weights", filepath.Join(out, "final.weights.ckpt"), "--update-statistics", "64")
	if code != 0 {
		t.Fatalf("evaluate exit %d\n%s\n%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "test: ") || !strings.HasPrefix(lines[2], "test with statistics updated on 64") {
		t.Fatalf("evaluate printed %q, want a test line, the lag line and a second test line", lines)
	}
	_, shifts, ok := strings.Cut(lines[1], "by BatchNorm layer): ")
	fields := strings.Fields(shifts)
	if !ok || len(fields) != 6 {
		t.Fatalf("lag line %q: want six numbers", lines[1])
	}
	var sum float64
	for _, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 0 {
			t.Errorf("lag %q: want a non-negative number", f)
		}
		sum += v
	}
	if !(sum > 0) {
		t.Errorf("lags %q: all zero after an update from near-initial averages", fields)
	}
}

// TestTrainChecksBeforeData: every flag, the schedule's arguments and the
// callbacks' settings are checked before the data is read (--data names a
// file that does not exist, so reaching it would fail otherwise), with
// Keras's required arguments named.
func TestTrainChecksBeforeData(t *testing.T) {
	base := []string{"train", "--data", "/nonexistent/cifar.tar.gz", "--model", "baseline", "--out", t.TempDir()}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--lr-schedule", "cosine"}, "decay_steps is required (Keras's required arguments of CosineDecay: decay_steps)"},
		{[]string{"--lr-schedule", "exponential:decay_steps=10"}, "decay_rate is required"},
		{[]string{"--lr-schedule", "piecewise:boundaries=10"}, "values is required"},
		{[]string{"--early-stop-patience", "2", "--monitor", "val_acc"}, `EarlyStopping monitors "val_acc", which training does not log`},
		{[]string{"--early-stop-patience", "2", "--val-holdout", "0"}, `"loss"`}, // passes the check: reaches the data
		{[]string{"--reduce-lr-patience", "2", "--val-holdout", "0", "--monitor", "val_loss"}, `ReduceLROnPlateau monitors "val_loss"`},
		{[]string{"--checkpoint", "w.{val_loss:.2f}.ckpt", "--val-holdout", "0"}, `no value named "val_loss"`},
		{[]string{"--checkpoint", "w.{epoch:q}.ckpt"}, "{epoch:q}"},
		{[]string{"--checkpoint", "w.h5"}, "cannot write .h5"},
		{[]string{"--monitor", "val_accuracy"}, "no callback monitors it"},
		{[]string{"--nesterov"}, "--nesterov needs --optimizer sgd"},
		{[]string{"--exclude-from-weight-decay", "beta"}, "needs --weight-decay"},
		{[]string{"--weight-decay", "0.1", "--exclude-from-weight-decay", "("}, "exclude from weight decay"},
		{[]string{"--ema-momentum", "0.9"}, "need --use-ema"},
		{[]string{"--lr-multipliers", "beta"}, `--lr-multipliers: "beta": want PATTERN=FACTOR`},
		{[]string{"--lr-multipliers", "beta=x"}, `--lr-multipliers: "beta=x": the factor`},
		{[]string{"--lr-multipliers", "(=2"}, `--lr-multipliers: learning-rate multiplier pattern "("`},
		{[]string{"--lr-multipliers", "beta=0"}, `--lr-multipliers: learning-rate multiplier 0 for "beta" must be a positive number`},
		{[]string{"--label-smoothing", "1.5"}, "--label-smoothing"},
		{[]string{"--tta", "flip"}, "--tta"},
		{[]string{"--tta", "mirror"}, "add --test"},
		{[]string{"--lr-schedule", "one_cycle:pct_start=0.2"}, "total_steps is required"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, append(base, tt.args...)...)
		reached := strings.Contains(stderr, "/nonexistent/cifar.tar.gz")
		if tt.want == `"loss"` {
			if code != 1 || !reached {
				t.Errorf("%v: exit %d, stderr %q; want the data error", tt.args, code, stderr)
			}
			continue
		}
		if code != 2 || reached || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q before the data is read", tt.args, code, stderr, tt.want)
		}
	}
}

// TestTrainDataChecks: --limit above the data's size is an error (never a
// silent clamp), and training data that lacks classes is an error naming
// them unless --allow-imbalance.
func TestTrainDataChecks(t *testing.T) {
	data := trainArchive(t, 100, 20)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "train", "--data", data, "--model", "baseline", "--width", "0.125", "--limit", "100000", "--epochs", "1", "--out", out)
	if code != 2 || !strings.Contains(stderr, "--limit 100000 is more than the 100 training images") {
		t.Errorf("--limit above the data: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "run.json")); err == nil {
		t.Error("run.json written for a refused --limit")
	}

	// Two classes of ten.
	two := &cifar.Data{Train: &cifar.Dataset{Images: make([]uint8, 60*cifar.ImageSize), Labels: make([]uint8, 60)},
		Test: &cifar.Dataset{Images: make([]uint8, 10*cifar.ImageSize), Labels: make([]uint8, 10)}}
	for i := range two.Train.Labels {
		two.Train.Labels[i] = uint8(i % 2)
	}
	var buf bytes.Buffer
	if err := cifar.WriteBinaryArchive(&buf, two); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cifar-10-binary.tar.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"train", "--data", path, "--model", "baseline", "--width", "0.125", "--epochs", "1", "--val-holdout", "0", "--verbose", "0", "--out", out}
	code, _, stderr = runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, "no images of 8 of the 10 classes: bird, cat, deer, dog, frog, horse, ship, truck") ||
		!strings.Contains(stderr, "--allow-imbalance") {
		t.Errorf("two classes: exit %d, stderr %q; want an error naming the 8 missing classes", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, append(args, "--allow-imbalance")...); code != 0 {
		t.Errorf("two classes with --allow-imbalance: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// run.json records the cnnlab version.
	raw, err := os.ReadFile(filepath.Join(out, "run.json"))
	var cfg trainConfig
	if err != nil || json.Unmarshal(raw, &cfg) != nil || cfg.Version != version.String() || cfg.Limit != 0 {
		t.Errorf("run.json %s (%v): want cnnlab_version %q and limit 0", raw, err, version.String())
	}
}

// TestTrainFastChecksBeforeData: `train --model fast` takes its recipe as
// the flags' defaults, and what the recipe and the flags given make
// together is checked before the data is read.
func TestTrainFastChecksBeforeData(t *testing.T) {
	base := []string{"train", "--data", "/nonexistent/cifar.tar.gz", "--model", "fast", "--out", t.TempDir()}
	tests := []struct {
		args []string
		want string // "" : passes the checks and reaches the data
	}{
		{nil, ""},
		{[]string{"--test"}, ""}, // the recipe's TTA with --test
		{[]string{"--tta", "mirror"}, "add --test"},
		{[]string{"--reduce-lr-patience", "2"}, "triangular schedule sets the rate"},
		{[]string{"--optimizer", "adam"}, ""}, // Adam: the recipe's SGD momentum and Nesterov are not applied
		{[]string{"--optimizer", "adam", "--nesterov"}, "--nesterov needs --optimizer sgd"},
		{[]string{"--ema-momentum", "0.9"}, ""}, // the recipe's EMA is on
		{[]string{"--use-ema=false", "--ema-momentum", "0.9"}, "need --use-ema"},
		{[]string{"--label-smoothing", "1.5"}, "--label-smoothing"},
		{[]string{"--width", "0"}, "width"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, append(base, tt.args...)...)
		reached := strings.Contains(stderr, "/nonexistent/cifar.tar.gz")
		if tt.want == "" {
			if code != 1 || !reached {
				t.Errorf("%v: exit %d, stderr %q; want the data error", tt.args, code, stderr)
			}
			continue
		}
		if code != 2 || reached || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q before the data is read", tt.args, code, stderr, tt.want)
		}
	}
}

// TestTrainFast trains the fast model with its recipe for one epoch on a
// few images, killed-and-resumed style: run.json records the recipe's
// settings, the test evaluation uses its TTA, and a second run resumes
// from the checkpoint (the whitening kernel comes from the checkpoint,
// not recomputed).
func TestTrainFast(t *testing.T) {
	data := trainArchive(t, 200, 20)
	out := t.TempDir()
	args := []string{"train", "--data", data, "--model", "fast", "--width", "0.125", "--batch-size", "64",
		"--verbose", "2", "--checkpoint", "resume.ckpt", "--out", out}
	code, stdout, stderr := runCLI(t, append(args, "--epochs", "1", "--test")...)
	if code != 0 {
		t.Fatalf("train exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "test-time augmentation mirror_translate") {
		t.Errorf("the test evaluation is not the recipe's TTA:\n%s", stdout)
	}
	raw, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"optimizer": "sgd", "nesterov": true, "label_smoothing": 0.2, "alternating_flip": true,
		"tta": "mirror_translate", "ema_momentum": 0.9, "val_holdout": 0.0, "batch_size": 64.0, "momentum": 0.85} {
		if got := cfg[k]; !reflect.DeepEqual(got, want) {
			t.Errorf("run.json %s = %v, want %v", k, got, want)
		}
	}
	if s, _ := cfg["lr_schedule"].(string); !strings.Contains(s, "triangular") {
		t.Errorf("run.json lr_schedule = %q, want the recipe's triangular schedule", s)
	}
	code, stdout, stderr = runCLI(t, append(args, "--epochs", "2", "--resume", filepath.Join(out, "resume.ckpt"))...)
	if code != 0 || !strings.Contains(stderr, "resuming from") || !strings.Contains(stdout, "Epoch 2/2") {
		t.Fatalf("resume exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
