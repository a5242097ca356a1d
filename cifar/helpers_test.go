package cifar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// synth returns n deterministic images: image i has label i%10 and pixel
// bytes that depend on i, the position and the channel.
func synth(n int) *Dataset {
	d := &Dataset{Images: make([]uint8, n*ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		d.Labels[i] = uint8(i % NumClasses)
		for p := range ImageSize {
			d.Images[i*ImageSize+p] = uint8(i*7 + p*13 + (p%3)*50)
		}
	}
	return d
}

// synthData returns a small Data with nTrain and nTest images.
func synthData(nTrain, nTest int) *Data {
	all := synth(nTrain + nTest)
	return &Data{
		Train: &Dataset{Images: all.Images[:nTrain*ImageSize], Labels: all.Labels[:nTrain]},
		Test:  &Dataset{Images: all.Images[nTrain*ImageSize:], Labels: all.Labels[nTrain:]},
	}
}

// binaryRecords is the official binary encoding of d, built independently
// of WriteBinary: label, then R plane, G plane, B plane.
func binaryRecords(d *Dataset) []byte {
	var b []byte
	for i := range d.Len() {
		b = append(b, d.Labels[i])
		img := d.Image(i)
		for c := range Channels {
			for p := range Height * Width {
				b = append(b, img[3*p+c])
			}
		}
	}
	return b
}

type tarFile struct {
	name string
	data []byte
}

// tarGz builds a .tar.gz (or plain .tar) holding files, in order.
func tarGz(t testing.TB, files []tarFile, compress bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if compress {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// releaseFiles returns the files of a release holding data: binary
// (cifar-10-batches-bin/*.bin) or Python (cifar-10-batches-py/*, pickled
// with pickler) layout. The training set is cut into five parts.
func releaseFiles(data *Data, python bool, pickler func(d *Dataset, name string) []byte) []tarFile {
	folder, ext := BinaryFolder, ".bin"
	if python {
		folder, ext = PythonFolder, ""
	}
	enc := func(d *Dataset, name string) []byte {
		if python {
			return pickler(d, name)
		}
		return binaryRecords(d)
	}
	var files []tarFile
	n := data.Train.Len()
	for b := range NumTrainBatches {
		lo, hi := b*n/NumTrainBatches, (b+1)*n/NumTrainBatches
		part := &Dataset{Images: data.Train.Images[lo*ImageSize : hi*ImageSize], Labels: data.Train.Labels[lo:hi]}
		name := "data_batch_" + string(rune('1'+b))
		files = append(files, tarFile{folder + "/" + name + ext, enc(part, name)})
	}
	files = append(files, tarFile{folder + "/test_batch" + ext, enc(data.Test, "test_batch")})
	files = append(files, tarFile{folder + "/batches.meta.txt", []byte("airplane\n")})
	return files
}

// writeFiles writes files under dir.
func writeFiles(t testing.TB, dir string, files []tarFile) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// pickler writes the opcodes of a CIFAR-10 batch pickle the way a given
// Python writes them.
type pickler struct {
	b    bytes.Buffer
	memo int
	py3  bool // Python 3 at protocol 2: str keys, bytes via _codecs.encode
}

func (p *pickler) op(b ...byte) { p.b.Write(b) }
func (p *pickler) put()         { p.memo++; p.op('q', byte(p.memo)) }
func (p *pickler) global(m, n string) {
	p.op('c')
	p.b.WriteString(m + "\n" + n + "\n")
	p.put()
}

func (p *pickler) int(v int) {
	switch {
	case v >= 0 && v < 256:
		p.op('K', byte(v))
	case v >= 0 && v < 65536:
		p.op('M', byte(v), byte(v>>8))
	default:
		p.op('J')
		binary.Write(&p.b, binary.LittleEndian, int32(v))
	}
}

// str writes a Python 2 str (SHORT_BINSTRING/BINSTRING) or a Python 3 str
// (BINUNICODE).
func (p *pickler) str(s string) {
	if p.py3 {
		p.op('X')
		binary.Write(&p.b, binary.LittleEndian, uint32(len(s)))
	} else if len(s) < 256 {
		p.op('U', byte(len(s)))
	} else {
		p.op('T')
		binary.Write(&p.b, binary.LittleEndian, uint32(len(s)))
	}
	p.b.WriteString(s)
	p.put()
}

// bytes writes a Python 2 str, or Python 3 bytes at protocol 2:
// _codecs.encode(latin1 text, "latin1").
func (p *pickler) bytes(b []byte) {
	if !p.py3 {
		p.str(string(b))
		return
	}
	p.global("_codecs", "encode")
	u := make([]byte, 0, 2*len(b))
	for _, c := range b {
		u = utf8.AppendRune(u, rune(c))
	}
	p.op('X')
	binary.Write(&p.b, binary.LittleEndian, uint32(len(u)))
	p.b.Write(u)
	p.put()
	p.str("latin1")
	p.op(0x86, 'R') // TUPLE2, REDUCE
	p.put()
}

// pickleBatch pickles d as the CIFAR-10 Python release does: a dict with
// batch_label, labels (a list), data (a numpy uint8 array [N,3072] of
// channel-first rows) and filenames.
func pickleBatch(d *Dataset, name string, py3 bool) []byte {
	p := &pickler{py3: py3}
	key := p.bytes
	if py3 {
		key = func(b []byte) { p.str(string(b)) }
	}
	p.op(0x80, 2, '}')
	p.put()
	p.op('(')
	key([]byte("batch_label"))
	p.bytes([]byte("batch " + name))
	key([]byte("labels"))
	p.op(']')
	p.put()
	for i, l := range d.Labels {
		if i%1000 == 0 {
			p.op('(')
		}
		p.int(int(l))
		if i%1000 == 999 || i == d.Len()-1 {
			p.op('e')
		}
	}
	key([]byte("data"))
	if py3 {
		p.global("numpy.core.multiarray", "_reconstruct")
	} else {
		p.global("numpy.core.multiarray", "_reconstruct")
	}
	p.global("numpy", "ndarray")
	p.int(0)
	p.op(0x85) // TUPLE1
	p.put()
	p.bytes([]byte("b"))
	p.op(0x87, 'R') // TUPLE3, REDUCE
	p.put()
	p.op('(')
	p.int(1)
	p.int(d.Len())
	p.int(ImageSize)
	p.op(0x86)
	p.put()
	p.global("numpy", "dtype")
	p.str("u1")
	p.int(0)
	p.int(1)
	p.op(0x87, 'R')
	p.put()
	p.op('(')
	p.int(3)
	p.str("|")
	p.op('N', 'N', 'N')
	p.int(-1)
	p.int(-1)
	p.int(0)
	p.op('t')
	p.put()
	p.op('b', 0x89) // BUILD the dtype, NEWFALSE
	var planar []byte
	for i := range d.Len() {
		planar = append(planar, binaryRecords(&Dataset{Images: d.Image(i), Labels: d.Labels[i : i+1]})[1:]...)
	}
	p.bytes(planar)
	p.op('t')
	p.put()
	p.op('b') // BUILD the array
	key([]byte("filenames"))
	p.op(']')
	p.put()
	p.op('(')
	for i := range d.Len() {
		p.bytes([]byte("img_" + string(rune('a'+i%26)) + ".png"))
	}
	p.op('e')
	p.op('u', '.') // SETITEMS, STOP
	return p.b.Bytes()
}

func py2Pickle(d *Dataset, name string) []byte { return pickleBatch(d, name, false) }
func py3Pickle(d *Dataset, name string) []byte { return pickleBatch(d, name, true) }

// pngImage encodes image i of d as PNG (lossless).
func pngImage(t testing.TB, d *Dataset, i int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, Width, Height))
	pix := d.Image(i)
	for p := range Height * Width {
		img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = pix[3*p], pix[3*p+1], pix[3*p+2], 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// grayPNG encodes a 32x32 grayscale PNG of constant value v.
func grayPNG(t testing.TB, v uint8, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	_ = color.Gray{}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imageFolderFiles returns an image-folder layout of data as PNG files.
func imageFolderFiles(t testing.TB, data *Data) []tarFile {
	var files []tarFile
	for _, s := range []struct {
		split string
		d     *Dataset
	}{{"train", data.Train}, {"test", data.Test}} {
		for i := range s.d.Len() {
			name := s.split + "/" + Classes[s.d.Labels[i]] + "/" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + ".png"
			files = append(files, tarFile{name, pngImage(t, s.d, i)})
		}
	}
	return files
}

// moduleRoot finds the folder holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's folder")
		}
		dir = parent
	}
}

// sharedJPEG returns the path of the shared JPEG archive, or skips.
func sharedJPEG(t testing.TB) string {
	t.Helper()
	p := filepath.Join(moduleRoot(t), "..", "shared", "datasets", "cifar10-jpeg.tar.gz")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared dataset absent (%v): put cifar10-jpeg.tar.gz in <module root>/../shared/datasets to run this test", err)
	}
	return p
}
