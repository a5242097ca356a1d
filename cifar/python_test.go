package cifar

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/internal/fuzzseed"
)

func TestReadPython(t *testing.T) {
	want := synth(13)
	for _, tt := range []struct {
		name   string
		pickle []byte
	}{
		{"python 2 (the release)", py2Pickle(want, "b")},
		{"python 3, protocol 2", py3Pickle(want, "b")},
	} {
		got, err := ReadPython(bytes.NewReader(tt.pickle), "data_batch_1")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(got.Labels, want.Labels) || !bytes.Equal(got.Images, want.Images) {
			t.Fatalf("%s: data differs", tt.name)
		}
	}
}

func TestReadPythonErrors(t *testing.T) {
	good := py2Pickle(synth(3), "b")
	replace := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("pickle lacks %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	// Label 2 of image 2 is BININT1 2 in the labels list: "K\x00K\x01K\x02e".
	badLabel := replace("K\x00K\x01K\x02e", "K\x00K\x01K\x0be")
	tests := []struct {
		name   string
		pickle []byte
		want   string
	}{
		{"truncated", good[:len(good)/2], "unpickling"},
		{"label out of range", badLabel, "label 2 is 11, want 0..9"},
		{"no labels key", replace("U\x06labels", "U\x06labelz"), "lacks the data or labels entry"},
		{"wrong dtype", replace("U\x02u1", "U\x02f4"), "dtype f4, want uint8"},
		{"foreign global", replace("cnumpy\ndtype\n", "cos\nsystem\n"), "unsupported Python global os.system"},
		{"not a dict", []byte("\x80\x02]q\x00."), "want a dict"},
		{"not a pickle", []byte("hello"), "not a pickle"},
	}
	for _, tt := range tests {
		_, err := readPythonBytes(tt.pickle, "cifar-10-batches-py/data_batch_4")
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "data_batch_4") {
			t.Errorf("%s: error %v, want one naming the file and saying %q", tt.name, err, tt.want)
		}
	}
}

// FuzzReadPython checks that corrupt pickles give errors, never panics.
func FuzzReadPython(f *testing.F) {
	fuzzseed.AddMutations(f, py2Pickle(synth(2), "b"))
	fuzzseed.AddMutations(f, py3Pickle(synth(1), "b"))
	f.Add([]byte{0x80, 0x02, '.'})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := readPythonBytes(data, "fuzz")
		if err != nil && d != nil {
			t.Fatal("a dataset with an error")
		}
		if err == nil {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
