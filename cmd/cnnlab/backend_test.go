package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

func TestBackendInstallUsage(t *testing.T) {
	for _, args := range [][]string{
		{"backend", "install"},
		{"backend", "install", "--plugin", "tpu"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "--plugin must be one of cpu, cuda12, cuda13") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}

func TestBackendInfoJSON(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	code, stdout, stderr := runCLI(t, "backend", "info", "--json")
	if code != 0 {
		t.Fatalf("backend info --json: exit %d, stderr %q", code, stderr)
	}
	var info struct {
		Config string `json:"config"`
		Source string `json:"source"`
		CPUs   int    `json:"cpus"`
	}
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatalf("backend info --json printed %q: %v", stdout, err)
	}
	// It reports what backend.Choose picks (the Go backend on all cores on a
	// machine without XLA plugins).
	config, source := backend.Choose()
	if info.Config != config || info.Source != source || info.CPUs < 1 {
		t.Errorf("backend info --json: %+v; want config %q from %q", info, config, source)
	}
}

// With no PJRT plugin installed and GOMLX_BACKEND unset or set to an XLA
// plugin, cnnlab never tries to download one: run in a child process whose
// HTTP(S) proxy is a listener that counts connections, and whose home and
// plugin folders are empty, `cnnlab backend info` picks the Go backend, and
// with GOMLX_BACKEND=xla:cuda or xla:cpu fails at once with a clear error;
// nothing connects and nothing is written. A bad GOMLX_BACKEND lists the
// valid values. (A child process: backend.New keeps its first backend.)
func TestBackendNoDownload(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	home, plugins := t.TempDir(), t.TempDir()
	proxy := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		backend string
		code    int
		want    string
	}{
		{"", 0, "config:      go:parallelism=-1 (from default"},
		{"xla:cuda", 1, `GOMLX_BACKEND="xla:cuda": no PJRT plugin "cuda" is installed`},
		{"xla:cpu", 1, "nothing is downloaded at run time"},
		{"xla", 1, `no PJRT plugin "cpu" is installed`},
		{"tpu", 1, `GOMLX_BACKEND="tpu": unknown backend "tpu"; valid values of GOMLX_BACKEND: go (GoMLX's pure Go backend), go:parallelism=N`},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackendChild$")
		cmd.Env = append(os.Environ(),
			"CNNLAB_TEST_CHILD=backend info",
			"GOMLX_BACKEND="+tc.backend,
			"HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
			"PJRT_PLUGIN_LIBRARY_PATH="+plugins, "LD_LIBRARY_PATH=",
			"HTTP_PROXY="+proxy, "HTTPS_PROXY="+proxy, "http_proxy="+proxy, "https_proxy="+proxy,
			"NO_PROXY=", "no_proxy=", "GOMLX_NO_AUTO_INSTALL=", // not relied on
		)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("GOMLX_BACKEND=%q cnnlab backend info: exit %d, output\n%s\nwant exit %d and %q", tc.backend, code, out.String(), tc.code, tc.want)
		}
		if tc.code != 0 && !strings.Contains(out.String(), "valid values of GOMLX_BACKEND") {
			t.Errorf("GOMLX_BACKEND=%q: the error lists no valid values:\n%s", tc.backend, out.String())
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connection(s) to the HTTP proxy: something tried to download", n)
	}
	for _, dir := range []string{home, plugins} {
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s was written to: %v", dir, entries)
		}
	}
}

// TestBackendChild is the child process of TestBackendNoDownload: it runs
// the CLI with the arguments in $CNNLAB_TEST_CHILD and exits with its status.
func TestBackendChild(t *testing.T) {
	args := os.Getenv("CNNLAB_TEST_CHILD")
	if args == "" {
		t.Skip("run by TestBackendNoDownload")
	}
	os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
}
