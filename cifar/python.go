package cifar

import (
	"bytes"
	"fmt"
	"io"
	"math/big"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// ReadPython reads one batch file of the Python release (such as
// data_batch_1 of cifar-10-batches-py): a pickled dict whose "data" entry is
// a numpy uint8 array [N,3072] (channel-first rows) and whose "labels" entry
// is a list of N labels. name is used in error messages. Keys may be bytes
// (the release was pickled by Python 2) or str.
func ReadPython(r io.Reader, name string) (d *Dataset, err error) {
	defer func() {
		// The unpickler trusts lengths in the stream; a corrupt one can
		// make it panic.
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("%s: corrupt pickle: %v", name, p)
		}
	}()
	u := pickle.NewUnpickler(r)
	u.FindClass = findNumpyClass
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: unpickling: %w", name, err)
	}
	dict, ok := obj.(*types.Dict)
	if !ok {
		return nil, fmt.Errorf("%s: pickle holds %T, want a dict with data and labels", name, obj)
	}
	var data, labels any
	var haveData, haveLabels bool
	for _, e := range *dict {
		switch pyString(e.Key) {
		case "data":
			data, haveData = e.Value, true
		case "labels":
			labels, haveLabels = e.Value, true
		}
	}
	if !haveData || !haveLabels {
		return nil, fmt.Errorf("%s: pickled dict lacks the data or labels entry", name)
	}
	arr, ok := data.(*ndarray)
	if !ok {
		return nil, fmt.Errorf("%s: data is %T, want a numpy array", name, data)
	}
	if arr.dtype == nil || (arr.dtype.name != "u1" && arr.dtype.name != "uint8") {
		return nil, fmt.Errorf("%s: data has dtype %v, want uint8", name, arr.dtype)
	}
	if len(arr.shape) != 2 || arr.shape[1] != ImageSize {
		return nil, fmt.Errorf("%s: data has shape %v, want [N %d]", name, arr.shape, ImageSize)
	}
	if arr.fortran {
		return nil, fmt.Errorf("%s: data is a Fortran-ordered array, want C order", name)
	}
	n := arr.shape[0]
	if len(arr.data) != n*ImageSize {
		return nil, fmt.Errorf("%s: data holds %d bytes, want %d for shape %v", name, len(arr.data), n*ImageSize, arr.shape)
	}
	list, ok := labels.(*types.List)
	if !ok {
		return nil, fmt.Errorf("%s: labels is %T, want a list", name, labels)
	}
	if list.Len() != n {
		return nil, fmt.Errorf("%s: %d labels for %d images", name, list.Len(), n)
	}
	d = &Dataset{Images: make([]uint8, n*ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		l, ok := pyInt(list.Get(i))
		if !ok || l < 0 || l >= NumClasses {
			return nil, fmt.Errorf("%s: label %d is %v, want 0..%d", name, i, list.Get(i), NumClasses-1)
		}
		d.Labels[i] = uint8(l)
		planarToNHWC(d.Images[i*ImageSize:(i+1)*ImageSize], arr.data[i*ImageSize:(i+1)*ImageSize])
	}
	return d, nil
}

// pyString returns a pickled str or bytes value as a Go string ("" for
// anything else).
func pyString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	case *pyBytes:
		return string(s.b)
	}
	return ""
}

// pyBytesData returns the bytes of a pickled bytes value: Python 2 str and
// SHORT_BINSTRING give string, Python 3 bytes give []byte, and protocol-2
// pickles written by Python 3 give a _codecs.encode call.
func pyBytesData(v any) ([]byte, bool) {
	switch s := v.(type) {
	case string:
		return []byte(s), true
	case []byte:
		return s, true
	case *pyBytes:
		return s.b, true
	case *types.ByteArray:
		return []byte(*s), true
	}
	return nil, false
}

func pyInt(v any) (int, bool) {
	switch i := v.(type) {
	case int:
		return i, true
	case bool:
		if i {
			return 1, true
		}
		return 0, true
	case *big.Int:
		if i.IsInt64() {
			return int(i.Int64()), true
		}
	}
	return 0, false
}

// findNumpyClass resolves the few Python globals that a pickled numpy array
// refers to; anything else is refused, so a pickle cannot make the reader
// build arbitrary objects.
func findNumpyClass(module, name string) (any, error) {
	switch module + "." + name {
	case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
		return reconstructFunc{}, nil
	case "numpy.ndarray":
		return ndarrayClass{}, nil
	case "numpy.dtype":
		return dtypeClass{}, nil
	case "_codecs.encode":
		return codecsEncode{}, nil
	case "builtins.bytes", "__builtin__.bytes":
		return bytesClass{}, nil
	}
	return nil, fmt.Errorf("unsupported Python global %s.%s in a CIFAR-10 pickle", module, name)
}

// pyBytes is a Python bytes value built by a call (_codecs.encode or bytes()).
type pyBytes struct{ b []byte }

// codecsEncode is _codecs.encode(str, "latin1"), which Python 3 uses to
// pickle bytes at protocol 2.
type codecsEncode struct{}

func (codecsEncode) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("_codecs.encode: no arguments")
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("_codecs.encode: argument is %T, want str", args[0])
	}
	enc := "utf-8"
	if len(args) > 1 {
		enc, _ = args[1].(string)
	}
	switch enc {
	case "latin1", "latin-1", "iso-8859-1", "ISO-8859-1":
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 0xff {
				return nil, fmt.Errorf("_codecs.encode: rune %U is not latin1", r)
			}
			b = append(b, byte(r))
		}
		return &pyBytes{b}, nil
	case "utf-8", "utf8":
		return &pyBytes{[]byte(s)}, nil
	}
	return nil, fmt.Errorf("_codecs.encode: unsupported encoding %q", enc)
}

// bytesClass is the bytes constructor; Python 3 pickles b"" as bytes().
type bytesClass struct{}

func (bytesClass) Call(args ...any) (any, error) {
	if len(args) == 0 {
		return &pyBytes{}, nil
	}
	return nil, fmt.Errorf("bytes(): unsupported arguments")
}

// reconstructFunc is numpy.core.multiarray._reconstruct(ndarray, (0,), b"b"),
// which creates the empty array that BUILD then fills.
type reconstructFunc struct{}

func (reconstructFunc) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("numpy _reconstruct: no arguments")
	}
	if _, ok := args[0].(ndarrayClass); !ok {
		return nil, fmt.Errorf("numpy _reconstruct: class %v, want numpy.ndarray", args[0])
	}
	return &ndarray{}, nil
}

type ndarrayClass struct{}

// ndarray is a numpy array restored from its pickled state.
type ndarray struct {
	shape   []int
	dtype   *dtype
	fortran bool
	data    []byte
}

// PySetState restores the state (version, shape, dtype, is_fortran, data)
// that ndarray.__reduce__ writes.
func (a *ndarray) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok {
		return fmt.Errorf("numpy array state is %T, want a tuple", state)
	}
	s := []any(*t)
	if len(s) == 5 { // with the version number first
		s = s[1:]
	}
	if len(s) != 4 {
		return fmt.Errorf("numpy array state has %d items, want 4 or 5", len(*t))
	}
	shape, ok := s[0].(*types.Tuple)
	if !ok {
		return fmt.Errorf("numpy array shape is %T, want a tuple", s[0])
	}
	for _, v := range *shape {
		n, ok := pyInt(v)
		if !ok || n < 0 {
			return fmt.Errorf("numpy array shape %v is not a tuple of sizes", *shape)
		}
		a.shape = append(a.shape, n)
	}
	if a.dtype, ok = s[1].(*dtype); !ok {
		return fmt.Errorf("numpy array dtype is %T, want numpy.dtype", s[1])
	}
	a.fortran, _ = s[2].(bool)
	if a.data, ok = pyBytesData(s[3]); !ok {
		return fmt.Errorf("numpy array data is %T, want bytes", s[3])
	}
	return nil
}

type dtypeClass struct{}

// Call is numpy.dtype("u1", 0, 1).
func (dtypeClass) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("numpy.dtype: no arguments")
	}
	return &dtype{name: pyString(args[0])}, nil
}

// dtype is a numpy dtype; its state (byte order etc.) does not matter for
// single bytes.
type dtype struct{ name string }

func (d *dtype) PySetState(any) error { return nil }

func (d *dtype) String() string { return d.name }

// isPickle reports whether b starts like a pickle of protocol 2 or later.
func isPickle(b []byte) bool {
	return len(b) >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5
}

// readPythonBytes is ReadPython on a buffer.
func readPythonBytes(b []byte, name string) (*Dataset, error) {
	if !isPickle(b) {
		return nil, fmt.Errorf("%s: not a pickle file (no protocol 2+ header)", name)
	}
	return ReadPython(bytes.NewReader(b), name)
}
