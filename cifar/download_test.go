package cifar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// archiveServer serves body at /cifar-10-binary.tar.gz. With truncate > 0
// it announces the full length but sends only truncate bytes and closes the
// connection. It counts requests.
type archiveServer struct {
	*httptest.Server
	body     []byte
	truncate int
	requests atomic.Int32
}

func newArchiveServer(t *testing.T, body []byte) *archiveServer {
	s := &archiveServer{body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.URL.Path != "/"+OfficialFile {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
		if s.truncate > 0 {
			w.Write(s.body[:s.truncate])
			if hj, ok := w.(http.Hijacker); ok {
				w.(http.Flusher).Flush()
				conn, _, _ := hj.Hijack()
				conn.Close()
			}
			return
		}
		w.Write(s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestDownload(t *testing.T) {
	var buf bytes.Buffer
	data := synthData(10, 5)
	if err := WriteBinaryArchive(&buf, data); err != nil {
		t.Fatal(err)
	}
	body := buf.Bytes()
	srv := newArchiveServer(t, body)
	url := srv.URL + "/" + OfficialFile
	ctx := context.Background()

	t.Run("failures keep nothing, then a good run recovers", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "cache")
		failures := []struct {
			name     string
			url      string
			sha      string
			truncate int
			want     string
		}{
			{"truncated body", url, sha(body), len(body) / 2, "bytes: unexpected EOF"},
			{"bad checksum", url, strings.Repeat("0", 64), 0, "SHA-256 of the"},
			{"not found", srv.URL + "/other.tar.gz", "", 0, "404"},
			{"malformed checksum", url, "abc", 0, "bad SHA-256"},
		}
		for _, f := range failures {
			srv.truncate = f.truncate
			_, err := Download(ctx, DownloadOptions{URL: f.url, SHA256: f.sha, Dir: dir})
			if err == nil || !strings.Contains(err.Error(), f.want) {
				t.Fatalf("%s: error %v, want one saying %q", f.name, err, f.want)
			}
			if names := dirFiles(t, dir); len(names) != 0 {
				t.Fatalf("%s: left %v in the cache folder", f.name, names)
			}
		}
		srv.truncate = 0
		var progress bytes.Buffer
		p, err := Download(ctx, DownloadOptions{URL: url, SHA256: strings.ToUpper(sha(body)), Dir: dir, Progress: &progress})
		if err != nil {
			t.Fatal(err)
		}
		if p != filepath.Join(dir, OfficialFile) {
			t.Errorf("path %s, want %s", p, filepath.Join(dir, OfficialFile))
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("downloaded file differs from the served body (err %v)", err)
		}
		if names := dirFiles(t, dir); len(names) != 1 {
			t.Errorf("cache folder holds %v, want only %s", names, OfficialFile)
		}
		if !strings.Contains(progress.String(), "sha256 "+sha(body)) {
			t.Errorf("progress output %q lacks the final line", progress.String())
		}
		// Present: no network I/O.
		before := srv.requests.Load()
		if _, err := Download(ctx, DownloadOptions{URL: url, SHA256: sha(body), Dir: dir}); err != nil {
			t.Fatal(err)
		}
		if n := srv.requests.Load() - before; n != 0 {
			t.Errorf("second download made %d requests, want 0", n)
		}
		loaded, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := sameData(loaded, data); diff != "" {
			t.Fatal(diff)
		}
	})

	t.Run("stale temporary files are removed", func(t *testing.T) {
		dir := t.TempDir()
		stale := filepath.Join(dir, OfficialFile+".123.part")
		fresh := filepath.Join(dir, OfficialFile+".456.part")
		for _, p := range []string{stale, fresh} {
			if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		old := time.Now().Add(-time.Hour)
		if err := os.Chtimes(stale, old, old); err != nil {
			t.Fatal(err)
		}
		if _, err := Download(ctx, DownloadOptions{URL: url, SHA256: sha(body), Dir: dir}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Error("stale .part file was kept")
		}
		if _, err := os.Stat(fresh); err != nil {
			t.Error("a recent .part file (maybe another download's) was removed")
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		dir := t.TempDir()
		if _, err := Download(cctx, DownloadOptions{URL: url, Dir: dir}); err == nil {
			t.Fatal("no error with a cancelled context")
		}
		if names := dirFiles(t, dir); len(names) != 0 {
			t.Fatalf("left %v", names)
		}
	})
}

func TestLocateAndLoadDefault(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KERAS_HOME", "")
	cache := filepath.Join(t.TempDir(), "cache")
	if got := Locate(cache); got != "" {
		t.Fatalf("Locate in empty folders = %q, want \"\"", got)
	}
	data := synthData(10, 5)

	// Keras's cache (Keras 2 layout: the extracted folder).
	kerasDir := filepath.Join(home, ".keras", "datasets")
	writeFiles(t, kerasDir, releaseFiles(data, true, py2Pickle))
	if got, want := Locate(cache), filepath.Join(kerasDir, PythonFolder); got != want {
		t.Fatalf("Locate = %q, want Keras's %q", got, want)
	}
	d, err := LoadDefault(context.Background(), DownloadOptions{Dir: cache, URL: "http://127.0.0.1:1/unused.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != FormatPython || sameData(d, data) != "" {
		t.Fatalf("LoadDefault read %s data that differs", d.Format)
	}

	// Keras 3 keeps the archive itself under the folder's name, and
	// extracts it into cifar-10-batches-py_extracted/.
	if err := os.RemoveAll(filepath.Join(kerasDir, PythonFolder)); err != nil {
		t.Fatal(err)
	}
	keras3 := filepath.Join(kerasDir, PythonFolder)
	if err := os.WriteFile(keras3, tarGz(t, releaseFiles(data, true, py3Pickle), true), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Locate(cache); got != keras3 {
		t.Fatalf("Locate = %q, want Keras 3's archive %q", got, keras3)
	}
	if d, err := LoadDefault(context.Background(), DownloadOptions{Dir: cache}); err != nil || d.Format != FormatPython || d.SHA256 == "" || sameData(d, data) != "" {
		t.Fatalf("LoadDefault on Keras 3's archive: %v", err)
	}
	extracted := filepath.Join(kerasDir, PythonFolder+"_extracted")
	writeFiles(t, extracted, releaseFiles(data, true, py2Pickle))
	if got, want := Locate(cache), filepath.Join(extracted, PythonFolder); got != want {
		t.Fatalf("Locate = %q, want %q", got, want)
	}

	// The cache folder comes first.
	writeFiles(t, cache, releaseFiles(data, false, nil))
	if got, want := Locate(cache), filepath.Join(cache, BinaryFolder); got != want {
		t.Fatalf("Locate = %q, want %q", got, want)
	}

	// A corrupt official archive in the cache is refused.
	if err := os.WriteFile(filepath.Join(cache, OfficialFile), tarGz(t, releaseFiles(data, false, nil), true), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDefault(context.Background(), DownloadOptions{Dir: cache}); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("error %v, want a checksum mismatch", err)
	}

	// Nothing anywhere and no network: the error says how to point at a
	// copy.
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("HOME", t.TempDir())
	_, err = LoadDefault(context.Background(), DownloadOptions{Dir: none, URL: "http://127.0.0.1:1/" + OfficialFile})
	if !errors.Is(err, ErrNoCopy) {
		t.Fatalf("LoadDefault with nothing and no network: %v, want ErrNoCopy", err)
	}
	for _, want := range []string{"127.0.0.1:1", "$" + EnvDataset, OfficialFile + " in " + none, "$" + EnvDataDir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	// Nothing anywhere: download.
	var buf bytes.Buffer
	if err := WriteBinaryArchive(&buf, data); err != nil {
		t.Fatal(err)
	}
	srv := newArchiveServer(t, buf.Bytes())
	t.Setenv("HOME", t.TempDir())
	empty := filepath.Join(t.TempDir(), "cache2")
	d, err = LoadDefault(context.Background(), DownloadOptions{Dir: empty, URL: srv.URL + "/" + OfficialFile, SHA256: sha(buf.Bytes())})
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != FormatBinary || sameData(d, data) != "" || srv.requests.Load() != 1 {
		t.Fatalf("LoadDefault after download: format %s, %d requests", d.Format, srv.requests.Load())
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDataDir, "/some/where")
	if d, err := DefaultDir(); err != nil || d != "/some/where" {
		t.Fatalf("DefaultDir = %q, %v; want $%s", d, err, EnvDataDir)
	}
	t.Setenv(EnvDataDir, "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	if d, err := DefaultDir(); err != nil || d != filepath.Join("/xdg", "cnnlab") {
		t.Fatalf("DefaultDir = %q, %v; want /xdg/cnnlab", d, err)
	}
}
