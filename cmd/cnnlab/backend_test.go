package main

import (
	"bytes"
	"encoding/json"
	"strings"
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
