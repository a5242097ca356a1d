package cifar

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Formats that [Load] detects, as reported in [Data].Format.
const (
	FormatBinary      = "binary"       // the official binary release (cifar-10-batches-bin/*.bin)
	FormatPython      = "python"       // the Python release (cifar-10-batches-py/data_batch_*), as Keras caches it
	FormatImageFolder = "image-folder" // train/<class>/*.{jpg,png} and test/<class>/...
)

// Official folder names inside the releases.
const (
	BinaryFolder = "cifar-10-batches-bin"
	PythonFolder = "cifar-10-batches-py"
)

// NumTrainBatches is the number of training batch files of the official
// releases (data_batch_1 .. data_batch_5).
const NumTrainBatches = 5

// Data is a loaded CIFAR-10 dataset: the training and test sets and where
// they came from.
type Data struct {
	Train, Test *Dataset
	Format      string // FormatBinary, FormatPython or FormatImageFolder
	Source      string // the path given to Load
	SHA256      string // hex SHA-256 of Source when it is a file; empty for a folder
}

// Load reads CIFAR-10 from path, detecting its format:
//
//   - the official binary release: cifar-10-binary.tar.gz (streamed, not
//     extracted) or its cifar-10-batches-bin folder, or a folder holding it;
//   - the Python release: cifar-10-python.tar.gz or its cifar-10-batches-py
//     folder of pickles, as Keras and torchvision cache it;
//   - an image folder: train/<class>/*.{jpg,jpeg,png} and test/<class>/...,
//     as a folder, a .tar or a .tar.gz, with the class folders named as in
//     [Classes]. Images are decoded on all cores and ordered by class, then
//     by file name.
//
// The training set of the releases is data_batch_1 to data_batch_5 in
// order; all six batch files must be present. Every record is checked: a
// truncated or corrupt file gives an error naming it and the byte offset.
func Load(path string) (*Data, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cifar: %w", err)
	}
	var data *Data
	if fi.IsDir() {
		data, err = loadDir(path)
	} else {
		data, err = loadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("cifar: loading %s: %w", path, err)
	}
	data.Source = path
	return data, nil
}

// loadFile streams an archive, hashing it on the way.
func loadFile(path string) (*Data, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	raw := bufio.NewReaderSize(io.TeeReader(f, h), 1<<20)
	c := newCollector()
	if err := c.readArchive(raw, filepath.Base(path)); err != nil {
		c.images.abort()
		return nil, err
	}
	// Hash what the archive readers left unread (tar padding, gzip trailer).
	if _, err := io.Copy(io.Discard, raw); err != nil {
		c.images.abort()
		return nil, fmt.Errorf("reading: %w", err)
	}
	data, err := c.finish()
	if err != nil {
		return nil, err
	}
	data.SHA256 = hex.EncodeToString(h.Sum(nil))
	return data, nil
}

// readArchive reads a .tar.gz or .tar from r. name (the archive's base
// name) is used in error messages.
func (c *collector) readArchive(r *bufio.Reader, name string) error {
	head, _ := r.Peek(512)
	var tr *tar.Reader
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		tr = tar.NewReader(zr)
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		tr = tar.NewReader(r)
	case isPickle(head):
		return fmt.Errorf("%s is a single pickled batch: give the %s folder or cifar-10-python.tar.gz", name, PythonFolder)
	default:
		return fmt.Errorf("%s: unrecognized format: want a .tar.gz or .tar archive of CIFAR-10, or a folder", name)
	}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: reading the archive after %d entries: %w", name, c.entries, err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		if err := c.add(name+":"+hdr.Name, hdr.Name, hdr.Size, tr, ""); err != nil {
			return err
		}
	}
}

// loadDir reads a folder: a release folder, a folder holding one, or an
// image folder.
func loadDir(dir string) (*Data, error) {
	for _, sub := range []string{BinaryFolder, PythonFolder} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			dir = filepath.Join(dir, sub)
			break
		}
	}
	c := newCollector()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && p != dir {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch classify(rel).kind {
		case kindOther:
			return nil
		case kindImage:
			fi, err := e.Info()
			if err != nil {
				return err
			}
			return c.add(p, rel, fi.Size(), nil, p) // the workers read the file
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		return c.add(p, rel, fi.Size(), f, "")
	})
	if err != nil {
		c.images.abort()
		return nil, err
	}
	return c.finish()
}

type entryKind int

const (
	kindOther entryKind = iota
	kindBinary
	kindPython
	kindImage
)

// entryInfo is what an archive member's or a file's name says about it.
type entryInfo struct {
	kind  entryKind
	batch int // 1..5 for data_batch_N, 0 for test_batch
	test  bool
	class string // image folder: the class folder's name
}

// classify tells from a slash-separated path which part of which format a
// file is.
func classify(name string) entryInfo {
	base := path.Base(name)
	if strings.HasPrefix(base, ".") { // macOS ._ files, hidden files
		return entryInfo{}
	}
	stem, ext := base, path.Ext(base)
	kind := kindPython
	switch strings.ToLower(ext) {
	case ".bin":
		kind, stem = kindBinary, strings.TrimSuffix(base, ext)
	case ".jpg", ".jpeg", ".png":
		parts := strings.Split(name, "/")
		if len(parts) < 3 {
			return entryInfo{}
		}
		split := parts[len(parts)-3]
		if split != "train" && split != "test" {
			return entryInfo{}
		}
		return entryInfo{kind: kindImage, test: split == "test", class: parts[len(parts)-2]}
	case "":
	default:
		return entryInfo{}
	}
	if stem == "test_batch" {
		return entryInfo{kind: kind, test: true}
	}
	if n, ok := strings.CutPrefix(stem, "data_batch_"); ok {
		if i, err := strconv.Atoi(n); err == nil && i >= 1 && i <= NumTrainBatches {
			return entryInfo{kind: kind, batch: i}
		}
	}
	return entryInfo{}
}

// collector gathers the files of one dataset, whatever their order.
type collector struct {
	format  string // format of the first recognized entry
	first   string // that entry's name
	entries int
	// Batches of the releases: index 0 is test_batch. Training batches
	// that arrive in order are appended straight to train (no second copy
	// of the training set); the others wait in batches until their turn.
	names   [NumTrainBatches + 1]string
	batches [NumTrainBatches + 1]*Dataset
	train   *Dataset
	next    int // the training batch train expects next, 1..NumTrainBatches+1
	images  *imageDecoder
}

func newCollector() *collector { return &collector{train: &Dataset{}, next: 1} }

// add reads one file. name is for error messages, rel is the path that
// classify looks at; for images read from disk, r is nil and file is the
// path the decoder reads.
func (c *collector) add(name, rel string, size int64, r io.Reader, file string) error {
	c.entries++
	info := classify(rel)
	format := ""
	switch info.kind {
	case kindOther:
		return nil
	case kindBinary:
		format = FormatBinary
	case kindPython:
		format = FormatPython
	case kindImage:
		format = FormatImageFolder
	}
	if c.format == "" {
		c.format, c.first = format, name
	} else if c.format != format {
		return fmt.Errorf("%s is %s but %s is %s: a dataset must hold one format", name, format, c.first, c.format)
	}
	if info.kind == kindImage {
		label := classIndex(info.class)
		if label < 0 {
			return fmt.Errorf("%s: unknown class folder %q, want one of %s", name, info.class, strings.Join(Classes[:], ", "))
		}
		if c.images == nil {
			c.images = newImageDecoder()
		}
		if size > maxImageBytes {
			return fmt.Errorf("%s: %d bytes, too large for a 32x32 image", name, size)
		}
		if file != "" {
			c.images.add(name, info.test, uint8(label), nil, file)
			return nil
		}
		buf, err := readEntry(r, size, name)
		if err != nil {
			return err
		}
		c.images.add(name, info.test, uint8(label), buf, "")
		return nil
	}
	if c.names[info.batch] != "" {
		return fmt.Errorf("%s: duplicate of %s", name, c.names[info.batch])
	}
	c.names[info.batch] = name
	if size > maxBatchBytes {
		return fmt.Errorf("%s: %d bytes, larger than any CIFAR-10 batch file (corrupt?)", name, size)
	}
	if info.kind == kindBinary && info.batch == c.next {
		first := c.train.Len() == 0
		if err := appendBinary(c.train, r, name, size); err != nil {
			return err
		}
		if first { // room for four more batches like this one, now that it was read
			c.train.Images = slices.Grow(c.train.Images, (NumTrainBatches-1)*len(c.train.Images))
			c.train.Labels = slices.Grow(c.train.Labels, (NumTrainBatches-1)*len(c.train.Labels))
		}
		c.next++
		c.flushBatches()
		return nil
	}
	var d *Dataset
	var err error
	if info.kind == kindBinary {
		d, err = decodeBinary(r, name, size)
	} else {
		var buf []byte
		if buf, err = readEntry(r, size, name); err == nil {
			d, err = readPythonBytes(buf, name)
		}
	}
	if err != nil {
		return err
	}
	c.batches[info.batch] = d
	c.flushBatches()
	return nil
}

// flushBatches appends to train the waiting batches whose turn has come.
func (c *collector) flushBatches() {
	for c.next <= NumTrainBatches && c.batches[c.next] != nil {
		d := c.batches[c.next]
		c.train.Images = append(c.train.Images, d.Images...)
		c.train.Labels = append(c.train.Labels, d.Labels...)
		c.batches[c.next] = nil
		c.next++
	}
}

// Largest files the loader accepts: a corrupt size must not make it
// allocate gigabytes. Official batches are 30.7 MB (binary) and 31 MB
// (pickle); CIFAR images are a few kilobytes.
const (
	maxBatchBytes = 100_000 * RecordSize
	maxImageBytes = 1 << 20
	// maxTrustedBytes is the most the readers allocate on the word of a
	// size in a header before reading the bytes: an official batch.
	maxTrustedBytes = 10_000 * RecordSize
)

// readEntry reads a whole file of the given size (-1: unknown).
func readEntry(r io.Reader, size int64, name string) ([]byte, error) {
	if size < 0 {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return b, nil
	}
	// The size comes from an archive's header: memory grows with the bytes
	// actually read, past a first official batch's worth.
	buf := bytes.NewBuffer(make([]byte, 0, min(size, maxTrustedBytes)))
	if n, err := io.CopyN(buf, r, size); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%s: truncated at byte offset %d, want %d bytes: %w", name, n, size, err)
	}
	return buf.Bytes(), nil
}

// classIndex returns the label of a class name, or -1.
func classIndex(name string) int {
	for i, c := range Classes {
		if c == name {
			return i
		}
	}
	return -1
}

// finish assembles the dataset once every file has been read.
func (c *collector) finish() (*Data, error) {
	switch c.format {
	case "":
		return nil, errors.New("no CIFAR-10 files found: want cifar-10-batches-bin/*.bin, cifar-10-batches-py/data_batch_*, or train/<class>/*.jpg and test/<class>/*.jpg")
	case FormatImageFolder:
		train, test, err := c.images.finish()
		if err != nil {
			return nil, err
		}
		if train.Len() == 0 || test.Len() == 0 {
			return nil, fmt.Errorf("image folder has %d train and %d test images: want both train/<class>/ and test/<class>/", train.Len(), test.Len())
		}
		return &Data{Train: train, Test: test, Format: c.format}, nil
	}
	ext := ""
	if c.format == FormatBinary {
		ext = ".bin"
	}
	for i, n := range c.names {
		if n == "" {
			name := "test_batch" + ext
			if i > 0 {
				name = fmt.Sprintf("data_batch_%d%s", i, ext)
			}
			return nil, fmt.Errorf("%s is missing (found %s)", name, c.first)
		}
	}
	return &Data{Train: c.train, Test: c.batches[0], Format: c.format}, nil
}
