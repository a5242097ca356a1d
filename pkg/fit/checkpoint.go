package fit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/internal/version"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// The checkpoint file format (version 1), written by [Trainer.SaveWeights]
// and [Trainer.SaveCheckpoint]:
//
//	bytes 0-7   magic "CNNLABW1"
//	bytes 8-15  header length H, uint64 little-endian
//	next H      header, JSON: {"format":"cnnlab-weights","version":1,
//	            "kind":"weights"|"checkpoint","data_bytes":N,"crc32":C,
//	            "variables":[{"path","dtype","shape","offset","bytes"}...],
//	            "model":{"name":...,...}, "cnnlab_version":"...",
//	            "state":{...}}  (state only in checkpoints)
//	next N      the variables' values, raw little-endian, row-major, at the
//	            given offsets; C is the IEEE CRC-32 of these N bytes.
//
// Variable paths are GoMLX model.Store paths (e.g. "/conv1/weights").
// Weights files hold the model's variables (trainable or not, e.g. batch
// normalization averages); checkpoints add the optimizer state (under
// StateScope), the random-number state and the training state needed to
// resume. The model's declaration (see [Declared]) and the cnnlab version
// that wrote the file are recorded since cnnlab recorded them: older files
// lack both, and load by variable names and shapes alone ([WeightsInfo]
// says which a file is). Files are written atomically: a temporary file in the same
// folder, then a rename.
const (
	fileMagic   = "CNNLABW1"
	fileVersion = 1
	kindWeights = "weights"
	kindCkpt    = "checkpoint"
)

// TrainState is what a full checkpoint records beyond the variables, so
// that Fit can resume (see FitOptions.Resume).
type TrainState struct {
	Epoch     int                        `json:"epoch"`     // epochs completed: the next epoch to run (0-based)
	Stopped   bool                       `json:"stopped"`   // a callback stopped training at that epoch
	Seed      int64                      `json:"seed"`      // the trainer's seed
	Optimizer string                     `json:"optimizer"` // optimizer name
	History   *History                   `json:"history"`   // the epochs run so far
	Callbacks map[string]json.RawMessage `json:"callbacks"` // state of Stateful callbacks, by "index:name"
}

// Stateful is implemented by callbacks whose state (best value, wait
// counters) full checkpoints save and Fit restores when resuming.
type Stateful interface {
	State() (json.RawMessage, error)
	SetState(json.RawMessage) error
}

type varRecord struct {
	Path   string `json:"path"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Offset int64  `json:"offset"`
	Bytes  int64  `json:"bytes"`
}

type fileHeader struct {
	Format    string      `json:"format"`
	Version   int         `json:"version"`
	Kind      string      `json:"kind"`
	DataBytes int64       `json:"data_bytes"`
	CRC32     uint32      `json:"crc32"`
	Variables []varRecord `json:"variables"`
	State     *TrainState `json:"state,omitempty"`
	// Model is the declaration of the model the file was saved from
	// (models that implement Declared); absent in older files.
	Model json.RawMessage `json:"model,omitempty"`
	// CnnlabVersion is the version of cnnlab that wrote the file.
	CnnlabVersion string `json:"cnnlab_version,omitempty"`
}

// Declared is a [Model] that declares itself (nn.Model does): weights
// files and checkpoints saved from it record the declaration, and loading
// a file whose recorded declaration differs fails, naming both models.
type Declared interface {
	Model
	// Declaration returns the model's declaration: a JSON object with a
	// "name" (and, for the CLI's presets, "preset" and "width") besides
	// everything that changes what the model computes from its weights.
	// Two models whose declarations are equal JSON values take each
	// other's weights. Nil means no declaration.
	Declaration() json.RawMessage
}

// WeightsInfo is what a weights file or checkpoint says about itself;
// see [ReadWeightsInfo].
type WeightsInfo struct {
	Kind string // "weights" or "checkpoint"
	// Model is the declaration of the model the file was saved from (see
	// [Declared]); nil in files written before cnnlab recorded it, and for
	// models that do not declare themselves.
	Model json.RawMessage
	// Version is the cnnlab version that wrote the file ("" in older files).
	Version string
	// Variables lists the variables held, in file order.
	Variables []VariableInfo
}

// VariableInfo names one variable of a weights file and its shape.
type VariableInfo struct {
	Path  string // GoMLX store path, e.g. "/conv2d/kernel"
	DType string // e.g. "Float32"
	Shape []int
}

// ReadWeightsInfo reads the header of a weights file or checkpoint
// (checking the whole file as loading does).
func ReadWeightsInfo(path string) (*WeightsInfo, error) {
	h, _, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	info := &WeightsInfo{Kind: h.Kind, Model: h.Model, Version: h.CnnlabVersion}
	for _, v := range h.Variables {
		info.Variables = append(info.Variables, VariableInfo{Path: v.Path, DType: v.DType, Shape: slices.Clone(v.Shape)})
	}
	return info, nil
}

// savedVar is one variable's value copied out of the store.
type savedVar struct {
	path  string
	shape shapes.Shape
	data  []byte
}

// Weights is a copy of the model's variables (not the optimizer state),
// as Keras's get_weights; see [Trainer.GetWeights].
type Weights struct {
	vars []savedVar
}

// Len returns the number of variables held.
func (w *Weights) Len() int { return len(w.vars) }

func copyVar(v *model.Variable) (savedVar, error) {
	t, err := v.Value()
	if err != nil {
		return savedVar{}, fmt.Errorf("reading variable %s: %w", v.Path(), err)
	}
	var data []byte
	if err := t.ConstBytes(func(b []byte) { data = bytes.Clone(b) }); err != nil {
		return savedVar{}, fmt.Errorf("reading variable %s: %w", v.Path(), err)
	}
	return savedVar{path: v.Path(), shape: t.Shape(), data: data}, nil
}

func (s savedVar) tensor() (*tensors.Tensor, error) {
	t := tensors.FromShape(s.shape)
	var err error
	if e := t.MutableBytes(func(b []byte) {
		if len(b) != len(s.data) {
			err = fmt.Errorf("variable %s: %d bytes for shape %s, want %d", s.path, len(s.data), s.shape, len(b))
			return
		}
		copy(b, s.data)
	}); e != nil {
		return nil, e
	}
	return t, err
}

// collect copies the variables selected by keep, in store order.
func (t *Trainer) collect(keep func(path string) bool) ([]savedVar, error) {
	var out []savedVar
	for v := range t.store.IterVariables() {
		if !keep(v.Path()) || !v.HasValue() {
			continue
		}
		s, err := copyVar(v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func isWeightPath(p string) bool { return !isStatePath(p) }

// GetWeights returns a copy of the model's weights (building the model
// first if needed): Keras's model.get_weights().
func (t *Trainer) GetWeights() (*Weights, error) {
	if err := t.build(); err != nil {
		return nil, err
	}
	vars, err := t.collect(isWeightPath)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	return &Weights{vars: vars}, nil
}

// SetWeights restores weights taken by GetWeights: Keras's
// model.set_weights(). It fails, naming the variable, if a shape differs.
func (t *Trainer) SetWeights(w *Weights) error {
	if err := t.build(); err != nil {
		return err
	}
	if err := t.setVars(w.vars, false); err != nil {
		return fmt.Errorf("fit: setting weights: %w", err)
	}
	return nil
}

// setVars checks vars against the model's weights (every weight present
// with the same shape, no unknown weight) and sets them; state variables
// are created as needed when withState.
func (t *Trainer) setVars(vars []savedVar, withState bool) error {
	byPath := make(map[string]savedVar, len(vars))
	for _, s := range vars {
		byPath[s.path] = s
	}
	// Every model weight must be in the file with the same shape.
	for v := range t.store.IterVariables() {
		if !isWeightPath(v.Path()) {
			continue
		}
		s, ok := byPath[v.Path()]
		if !ok {
			return fmt.Errorf("variable %s (%s) of the model is missing from the file", v.Path(), shapeStr(v.Shape()))
		}
		if !s.shape.Equal(v.Shape()) {
			return fmt.Errorf("variable %s is %s in the file but %s in the model", v.Path(), shapeStr(s.shape), shapeStr(v.Shape()))
		}
	}
	for _, s := range vars {
		if isWeightPath(s.path) && t.store.GetVariable(s.path) == nil {
			return fmt.Errorf("variable %s (%s) in the file does not exist in the model", s.path, shapeStr(s.shape))
		}
	}
	for _, s := range vars {
		if isStatePath(s.path) && !withState {
			continue
		}
		value, err := s.tensor()
		if err != nil {
			return err
		}
		v := t.store.GetVariable(s.path)
		if v == nil {
			if _, err := t.store.CreateVariable(s.path, value); err != nil {
				return fmt.Errorf("restoring %s: %w", s.path, err)
			}
			t.store.GetVariable(s.path).SetTrainable(false)
			continue
		}
		if !s.shape.Equal(v.Shape()) {
			return fmt.Errorf("variable %s is %s in the file but %s in the model", s.path, shapeStr(s.shape), shapeStr(v.Shape()))
		}
		if err := v.SetValue(value); err != nil {
			return fmt.Errorf("restoring %s: %w", s.path, err)
		}
	}
	t.weightsSet = true
	return nil
}

// SaveWeights writes the model's weights to path (format above),
// atomically: Keras's save_weights.
func (t *Trainer) SaveWeights(path string) error {
	if err := t.build(); err != nil {
		return err
	}
	vars, err := t.collect(isWeightPath)
	if err != nil {
		return fmt.Errorf("fit: saving %s: %w", path, err)
	}
	return writeCheckpoint(path, kindWeights, vars, nil, t.declaration())
}

// declaration returns the model's declaration, nil when it has none.
func (t *Trainer) declaration() json.RawMessage {
	if d, ok := t.model.(Declared); ok {
		return d.Declaration()
	}
	return nil
}

// checkModel fails when the file at path records the declaration of a model
// other than t's. Files without one (older files, models that do not
// declare themselves) pass: they load by variable names and shapes.
func (t *Trainer) checkModel(h *fileHeader, path string) error {
	mine := t.declaration()
	if len(h.Model) == 0 || len(mine) == 0 {
		return nil
	}
	diff, err := firstDifference(h.Model, mine)
	if err != nil {
		return fmt.Errorf("fit: %s: the model it records: %w", path, err)
	}
	if diff == "" {
		return nil
	}
	return fmt.Errorf("fit: %s holds the weights of model %s, not of this model %s (%s)",
		path, declName(h.Model), declName(mine), diff)
}

// SaveCheckpoint writes the weights, the optimizer and random state, and
// state (may be nil) to path, atomically.
func (t *Trainer) SaveCheckpoint(path string, state *TrainState) error {
	if err := t.build(); err != nil {
		return err
	}
	vars, err := t.collect(func(string) bool { return true })
	if err != nil {
		return fmt.Errorf("fit: saving %s: %w", path, err)
	}
	if state == nil {
		state = &TrainState{}
	}
	state.Seed, state.Optimizer = t.seed, t.opt.Name()
	return writeCheckpoint(path, kindCkpt, vars, state, t.declaration())
}

// LoadWeights sets the model's weights from a weights file or a full
// checkpoint (whose optimizer state it ignores). A file made for a model of
// another shape fails with an error naming the first variable that
// differs.
func (t *Trainer) LoadWeights(path string) error {
	h, vars, err := readCheckpoint(path)
	if err != nil {
		return err
	}
	if err := t.checkModel(h, path); err != nil {
		return err
	}
	if err := t.build(); err != nil {
		return err
	}
	if err := t.setVars(vars, false); err != nil {
		return fmt.Errorf("fit: loading %s: %w", path, err)
	}
	return nil
}

// LoadCheckpoint restores a full checkpoint: weights, optimizer state,
// learning rate, random state; it returns the training state to pass as
// FitOptions.Resume.
func (t *Trainer) LoadCheckpoint(path string) (*TrainState, error) {
	h, vars, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if h.Kind != kindCkpt || h.State == nil {
		return nil, fmt.Errorf("fit: %s holds weights only (saved with save_weights_only); resuming needs a full checkpoint", path)
	}
	if err := t.checkModel(h, path); err != nil {
		return nil, err
	}
	if h.State.Optimizer != "" && h.State.Optimizer != t.opt.Name() {
		return nil, fmt.Errorf("fit: %s was saved with optimizer %q, this trainer uses %q", path, h.State.Optimizer, t.opt.Name())
	}
	if err := t.build(); err != nil {
		return nil, err
	}
	if err := t.setVars(vars, true); err != nil {
		return nil, fmt.Errorf("fit: loading %s: %w", path, err)
	}
	return h.State, nil
}

func writeCheckpoint(path, kind string, vars []savedVar, state *TrainState, model json.RawMessage) error {
	h := fileHeader{Format: "cnnlab-weights", Version: fileVersion, Kind: kind, State: state,
		Model: model, CnnlabVersion: version.String()}
	var data bytes.Buffer
	for _, s := range vars {
		h.Variables = append(h.Variables, varRecord{
			Path: s.path, DType: s.shape.DType.String(), Shape: slices.Clone(s.shape.Dimensions),
			Offset: int64(data.Len()), Bytes: int64(len(s.data)),
		})
		data.Write(s.data)
	}
	h.DataBytes = int64(data.Len())
	h.CRC32 = crc32.ChecksumIEEE(data.Bytes())
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("fit: encoding %s: %w", path, err)
	}
	var buf bytes.Buffer
	buf.WriteString(fileMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint64(len(hdr)))
	buf.Write(hdr)
	buf.Write(data.Bytes())
	return writeFileAtomic(path, buf.Bytes())
}

func readCheckpoint(path string) (*fileHeader, []savedVar, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("fit: reading checkpoint: %w", err)
	}
	return parseCheckpoint(path, raw)
}

// parseCheckpoint checks and decodes the bytes of the file named path. The
// variables' data alias raw.
func parseCheckpoint(path string, raw []byte) (*fileHeader, []savedVar, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("fit: %s is not a valid cnnlab weights file: %s", path, fmt.Sprintf(format, args...))
	}
	if len(raw) < 16 || string(raw[:8]) != fileMagic {
		return nil, nil, bad("wrong magic bytes (want %q)", fileMagic)
	}
	n := binary.LittleEndian.Uint64(raw[8:16])
	if n > uint64(len(raw)-16) {
		return nil, nil, bad("header of %d bytes past the end of the file (truncated?)", n)
	}
	var h fileHeader
	if err := json.Unmarshal(raw[16:16+n], &h); err != nil {
		return nil, nil, bad("header: %v", err)
	}
	if h.Version != fileVersion {
		return nil, nil, bad("version %d, this build reads %d", h.Version, fileVersion)
	}
	if h.Kind != kindWeights && h.Kind != kindCkpt {
		return nil, nil, bad("kind %q (want %q or %q)", h.Kind, kindWeights, kindCkpt)
	}
	if h.State != nil && h.State.Epoch < 0 {
		return nil, nil, bad("training state at epoch %d", h.State.Epoch)
	}
	if len(h.Model) > 0 {
		if _, err := declFields(h.Model); err != nil {
			return nil, nil, bad("model declaration: %v", err)
		}
	}
	data := raw[16+n:]
	if int64(len(data)) != h.DataBytes {
		return nil, nil, bad("%d data bytes, header says %d (truncated?)", len(data), h.DataBytes)
	}
	if crc32.ChecksumIEEE(data) != h.CRC32 {
		return nil, nil, bad("data checksum mismatch")
	}
	vars := make([]savedVar, len(h.Variables))
	for i, r := range h.Variables {
		dt, ok := dtypes.MapOfNames[r.DType]
		if !ok {
			return nil, nil, bad("variable %s has unknown dtype %q", r.Path, r.DType)
		}
		// Bound the element count by the data size before shapes.Make, so
		// that no product of dimensions overflows.
		elems := int64(1)
		for _, d := range r.Shape {
			if d < 0 || (d > 0 && elems > (h.DataBytes*8+8)/int64(d)) {
				return nil, nil, bad("variable %s: shape %v does not fit in %d data bytes", r.Path, r.Shape, h.DataBytes)
			}
			elems *= int64(d)
		}
		shape := shapes.Make(dt, r.Shape...)
		if r.Offset < 0 || r.Bytes < 0 || r.Bytes != int64(shape.ByteSize()) || r.Offset > h.DataBytes-r.Bytes {
			return nil, nil, bad("variable %s: bad extent (offset %d, %d bytes, shape %s)", r.Path, r.Offset, r.Bytes, shape)
		}
		vars[i] = savedVar{path: r.Path, shape: shape, data: data[r.Offset : r.Offset+r.Bytes]}
	}
	return &h, vars, nil
}

// writeFileAtomic writes data to path through a temporary file (see
// internal/atomicfile), creating the folder.
func writeFileAtomic(path string, data []byte) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("fit: creating %s: %w", dir, err)
		}
	}
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	return nil
}

// pendingSave is a checkpoint a callback asked for during OnEpochEnd; Fit
// writes it once every callback has run, so that the saved callback state
// is that of the end of the epoch.
type pendingSave struct {
	path        string
	weightsOnly bool
}

// SaveAfterEpoch asks Fit to write a checkpoint to path (weights only, or
// full with the training state) once all callbacks have finished the
// current epoch. ModelCheckpoint uses it.
func (t *Trainer) SaveAfterEpoch(path string, weightsOnly bool) {
	t.pending = append(t.pending, pendingSave{path, weightsOnly})
}

func callbackKey(i int, cb Callback) string {
	name := fmt.Sprintf("%T", cb)
	name = strings.TrimPrefix(name[strings.LastIndex(name, ".")+1:], "*")
	return fmt.Sprintf("%d:%s", i, name)
}

// flushSaves writes the checkpoints that callbacks asked for during epoch,
// with the state of every callback at the end of the epoch.
func (t *Trainer) flushSaves(epoch int, hist *History, cbs callbackList) error {
	pending := t.pending
	t.pending = nil
	if len(pending) == 0 {
		return nil
	}
	state := &TrainState{Epoch: epoch + 1, Stopped: t.stop, History: hist.clone(), Callbacks: map[string]json.RawMessage{}}
	for i, cb := range cbs {
		if s, ok := cb.(Stateful); ok {
			raw, err := s.State()
			if err != nil {
				return fmt.Errorf("fit: saving the state of callback %s: %w", callbackKey(i, cb), err)
			}
			state.Callbacks[callbackKey(i, cb)] = raw
		}
	}
	for _, p := range pending {
		var err error
		if p.weightsOnly {
			err = t.SaveWeights(p.path)
		} else {
			err = t.SaveCheckpoint(p.path, state)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// restore sets the state of each Stateful callback from a checkpoint's.
func (cbs callbackList) restore(states map[string]json.RawMessage) error {
	for i, cb := range cbs {
		s, ok := cb.(Stateful)
		if !ok {
			continue
		}
		raw, ok := states[callbackKey(i, cb)]
		if !ok {
			return fmt.Errorf("fit: the checkpoint has no state for callback %s: resume with the same callbacks in the same order", callbackKey(i, cb))
		}
		if err := s.SetState(raw); err != nil {
			return fmt.Errorf("fit: restoring callback %s: %w", callbackKey(i, cb), err)
		}
	}
	return nil
}

func parseDType(name string) (dtypes.DType, error) {
	dt, ok := dtypes.MapOfNames[name]
	if !ok {
		return dtypes.InvalidDType, fmt.Errorf("fit: unknown dtype %q", name)
	}
	return dt, nil
}

// declFields decodes a recorded declaration: a JSON object.
func declFields(raw json.RawMessage) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("null, want a JSON object")
	}
	return m, nil
}

// declName names the model of a declaration: its "name", with "preset" and
// "width" when present, e.g. `"baseline_w0.25" (preset baseline, width 0.25)`.
func declName(raw json.RawMessage) string {
	m, _ := declFields(raw)
	s := fmt.Sprintf("%q", m["name"])
	if p, ok := m["preset"].(string); ok {
		s += fmt.Sprintf(" (preset %s, width %v)", p, m["width"])
	}
	return s
}

// firstDifference compares two declarations as JSON values and describes
// their first difference, by sorted key and then by position in a list
// ("" when they are equal), e.g. `layers[1]: "a" in the file, "b" in the
// model`.
func firstDifference(file, model json.RawMessage) (string, error) {
	a, err := declFields(file)
	if err != nil {
		return "", err
	}
	b, err := declFields(model)
	if err != nil {
		return "", err
	}
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	show := func(v any, ok bool) string {
		if !ok {
			return "nothing"
		}
		raw, _ := json.Marshal(v)
		return string(raw)
	}
	for _, k := range keys {
		va, okA := a[k]
		vb, okB := b[k]
		if okA && okB && reflect.DeepEqual(va, vb) {
			continue
		}
		la, isListA := va.([]any)
		lb, isListB := vb.([]any)
		if isListA && isListB {
			for i := range max(len(la), len(lb)) {
				ea, okA := at(la, i)
				eb, okB := at(lb, i)
				if !okA || !okB || !reflect.DeepEqual(ea, eb) {
					return fmt.Sprintf("%s[%d]: %s in the file, %s in the model", k, i, show(ea, okA), show(eb, okB)), nil
				}
			}
		}
		return fmt.Sprintf("%s: %s in the file, %s in the model", k, show(va, okA), show(vb, okB)), nil
	}
	return "", nil
}

// at returns l[i] and whether i is in range.
func at(l []any, i int) (any, bool) {
	if i < len(l) {
		return l[i], true
	}
	return nil, false
}

// shapeStr formats a shape as "float32[48 16]".
func shapeStr(s shapes.Shape) string {
	return fmt.Sprintf("%s%v", strings.ToLower(s.DType.String()), s.Dimensions)
}
