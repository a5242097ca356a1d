package cifar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// The official binary release of CIFAR-10 and its SHA-256.
const (
	OfficialURL    = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
	OfficialSHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
	OfficialFile   = "cifar-10-binary.tar.gz"
)

// The Python release, which keras.datasets.cifar10.load_data() downloads
// into ~/.keras/datasets, and its SHA-256.
const (
	PythonURL    = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
	PythonSHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
)

// EnvDataDir names the environment variable that overrides the cache
// folder of [DefaultDir].
const EnvDataDir = "CNNLAB_DATA"

// DefaultDir returns the folder where the official release is cached:
// $CNNLAB_DATA if set, else "cnnlab" under the user's cache folder
// (~/.cache/cnnlab on Linux, ~/Library/Caches/cnnlab on macOS).
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cifar: finding the cache folder (set %s): %w", EnvDataDir, err)
	}
	return filepath.Join(c, "cnnlab"), nil
}

// DownloadOptions configures [Download]. The zero value downloads the
// official binary release into [DefaultDir].
type DownloadOptions struct {
	URL      string       // archive to fetch; "" means OfficialURL
	SHA256   string       // expected hex SHA-256; "" means OfficialSHA256 when URL is "", else no check
	Dir      string       // folder to save into; "" means DefaultDir()
	Progress io.Writer    // where the progress bar goes (nil: none); a bar is drawn only on a terminal, else one line at the end
	Client   *http.Client // nil means http.DefaultClient
	// Verify re-hashes a file that is already present and fails if its
	// SHA-256 is not the expected one (still without network I/O).
	Verify bool
}

// stalePart is how old a leftover temporary file of an interrupted download
// must be before a new download removes it.
const stalePart = 10 * time.Minute

// Download fetches an archive (by default the official binary release) into
// a folder and returns its path: Dir/<the URL's file name>. If that file
// exists it is returned at once, without network I/O (and, with
// opts.Verify, after checking its SHA-256).
//
// The body goes to a temporary file in Dir ("<name>.*.part") while its
// SHA-256 is computed; only a complete body with the expected checksum is
// renamed to its final name, so an interrupted, truncated or corrupt
// download never leaves a file that looks complete. Temporary files that
// earlier, interrupted runs left behind are removed once they are older
// than ten minutes.
func Download(ctx context.Context, opts DownloadOptions) (string, error) {
	if opts.URL == "" {
		opts.URL = OfficialURL
		if opts.SHA256 == "" {
			opts.SHA256 = OfficialSHA256
		}
	}
	if opts.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return "", err
		}
		opts.Dir = d
	}
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	want := strings.ToLower(opts.SHA256)
	if want != "" {
		if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
			return "", fmt.Errorf("cifar: download: bad SHA-256 %q: want 64 hex digits", opts.SHA256)
		}
	}
	u, err := url.Parse(opts.URL)
	if err != nil {
		return "", fmt.Errorf("cifar: download: %w", err)
	}
	name := path.Base(u.Path)
	if name == "" || name == "/" || name == "." {
		return "", fmt.Errorf("cifar: download: URL %s names no file", opts.URL)
	}
	dst := filepath.Join(opts.Dir, name)
	if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() {
		if opts.Verify && want != "" {
			got, err := FileSHA256(dst)
			if err != nil {
				return "", err
			}
			if got != want {
				return "", fmt.Errorf("cifar: %s has SHA-256 %s, want %s: delete it and run again to download a fresh copy", dst, got, want)
			}
		}
		return dst, nil
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return "", fmt.Errorf("cifar: download: %w", err)
	}
	removeStaleParts(opts.Dir, name)

	tmp, err := os.CreateTemp(opts.Dir, name+".*.part")
	if err != nil {
		return "", fmt.Errorf("cifar: download: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	got, n, err := fetch(ctx, opts, tmp)
	if err != nil {
		return "", fmt.Errorf("cifar: downloading %s: %w", opts.URL, err)
	}
	if want != "" && got != want {
		return "", fmt.Errorf("cifar: downloading %s: SHA-256 of the %d bytes received is %s, want %s (corrupt or wrong file; nothing was kept)",
			opts.URL, n, got, want)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("cifar: download: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("cifar: download: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("cifar: download: %w", err)
	}
	ok = true
	return dst, nil
}

// FileSHA256 returns the hex SHA-256 of the file at path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cifar: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("cifar: hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fetch writes the body of opts.URL to w and returns its hex SHA-256 and
// length.
func fetch(ctx context.Context, opts DownloadOptions, w io.Writer) (sum string, n int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, opts.URL, nil)
	if err != nil {
		return "", 0, err
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("server answered %s", resp.Status)
	}
	h := sha256.New()
	dst := io.MultiWriter(w, h)
	var bar *progressbar.ProgressBar
	if opts.Progress != nil && isTerminal(opts.Progress) {
		bar = progressbar.NewOptions64(resp.ContentLength,
			progressbar.OptionSetWriter(opts.Progress),
			progressbar.OptionSetDescription("downloading "+path.Base(req.URL.Path)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionSetRenderBlankState(true),
		)
		dst = io.MultiWriter(dst, bar)
	}
	start := time.Now()
	n, err = io.Copy(dst, resp.Body)
	if bar != nil {
		_ = bar.Exit()
		fmt.Fprintln(opts.Progress)
	}
	if err != nil {
		return "", n, fmt.Errorf("after %d bytes: %w", n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return "", n, fmt.Errorf("truncated: got %d of %d bytes", n, resp.ContentLength)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "downloaded %s: %.1f MiB in %.1f s, sha256 %s\n",
			opts.URL, float64(n)/(1<<20), time.Since(start).Seconds(), sum)
	}
	return sum, n, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// removeStaleParts removes temporary files of interrupted downloads of name
// that have not been written for stalePart.
func removeStaleParts(dir, name string) {
	matches, _ := filepath.Glob(filepath.Join(dir, name+".*.part"))
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && time.Since(fi.ModTime()) > stalePart {
			os.Remove(m)
		}
	}
}

// Locate returns the path of a copy of CIFAR-10 already on this machine, or
// "" if there is none. It looks, in order, in dir (the cache folder, see
// [DefaultDir]) for cifar-10-binary.tar.gz and cifar-10-batches-bin, then in
// Keras's cache ($KERAS_HOME/datasets or ~/.keras/datasets) for the Python
// release that keras.datasets.cifar10.load_data() leaves there:
// cifar-10-batches-py (a folder in Keras 2, the archive itself in Keras 3),
// cifar-10-batches-py_extracted/cifar-10-batches-py,
// cifar-10-batches-py.tar.gz and cifar-10-python.tar.gz.
func Locate(dir string) string {
	var candidates []string
	if dir != "" {
		candidates = append(candidates,
			filepath.Join(dir, OfficialFile),
			filepath.Join(dir, BinaryFolder))
	}
	keras := os.Getenv("KERAS_HOME")
	if keras == "" {
		if home, err := os.UserHomeDir(); err == nil {
			keras = filepath.Join(home, ".keras")
		}
	}
	if keras != "" {
		ds := filepath.Join(keras, "datasets")
		candidates = append(candidates,
			filepath.Join(ds, PythonFolder+"_extracted", PythonFolder),
			filepath.Join(ds, PythonFolder),
			filepath.Join(ds, PythonFolder+".tar.gz"),
			filepath.Join(ds, "cifar-10-python.tar.gz"))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return ""
}

// ErrNoCopy is wrapped by [LoadDefault]'s error when it found no copy of
// CIFAR-10 on this machine and could not download one: the error says how
// to point at a copy.
var ErrNoCopy = errors.New("cifar: no copy of CIFAR-10")

// LoadDefault loads the CIFAR-10 copy that [Locate] finds in opts.Dir (by
// default [DefaultDir]) or in Keras's cache, and downloads the official
// release with [Download] when there is none. opts.Progress receives the
// download's progress.
func LoadDefault(ctx context.Context, opts DownloadOptions) (*Data, error) {
	if opts.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		opts.Dir = d
	}
	p := Locate(opts.Dir)
	if p == "" {
		var err error
		if p, err = Download(ctx, opts); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w in %s or Keras's cache (~/.keras/datasets), and downloading it failed: %w; "+
				"point $%s at a copy (an archive or folder in any format Load reads), or put %s in %s ($%s sets that folder)",
				ErrNoCopy, opts.Dir, err, EnvDataset, OfficialFile, opts.Dir, EnvDataDir)
		}
	}
	data, err := Load(p)
	if err != nil {
		return nil, err
	}
	if filepath.Base(p) == OfficialFile && data.SHA256 != OfficialSHA256 && opts.URL == "" {
		return nil, fmt.Errorf("cifar: %s has SHA-256 %s, want %s: delete it and run again to download a fresh copy",
			p, data.SHA256, OfficialSHA256)
	}
	return data, nil
}
