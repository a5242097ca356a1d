package backend

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/go-xla/compute/xla"
)

func TestChoose(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", dir)

	t.Setenv(EnvVar, "go")
	if c, src := Choose(); c != "go" || src != "env" {
		t.Errorf("with %s=go: Choose() = %q, %q", EnvVar, c, src)
	}

	// No variable, no plugin: the Go backend on all cores.
	os.Unsetenv(EnvVar)
	if c, src := Choose(); c != GoDefault || src != "default" {
		t.Errorf("no plugin: Choose() = %q, %q; want %q, default", c, src, GoDefault)
	}

	// A versioned CPU plugin, as GoMLX's installer names it.
	touch(t, filepath.Join(dir, "pjrt_c_api_cpu_v0.83.1_plugin.so"))
	if c, src := Choose(); c != "xla:cpu" || src != "plugin" {
		t.Errorf("CPU plugin: Choose() = %q, %q; want xla:cpu, plugin", c, src)
	}

	// CUDA wins over CPU when a GPU is visible.
	touch(t, filepath.Join(dir, "nvidia", "pjrt_c_api_cuda_plugin.so"))
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", dir+string(os.PathListSeparator)+filepath.Join(dir, "nvidia"))
	setGPU(t, true)
	if c, src := Choose(); c != "xla:cuda" || src != "plugin" {
		t.Errorf("CUDA plugin: Choose() = %q, %q; want xla:cuda, plugin", c, src)
	}
	// Without a GPU (a CUDA image on a CPU-only host) the CPU plugin runs,
	setGPU(t, false)
	if c, src := Choose(); c != "xla:cpu" || src != "plugin" {
		t.Errorf("CUDA plugin, no GPU: Choose() = %q, %q; want xla:cpu, plugin", c, src)
	}
	// or, without one, the Go backend.
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", filepath.Join(dir, "nvidia"))
	if c, src := Choose(); c != GoDefault || src != "default" {
		t.Errorf("only the CUDA plugin, no GPU: Choose() = %q, %q; want %q, default", c, src, GoDefault)
	}
}

func setGPU(t *testing.T, visible bool) {
	saved := hasNvidiaGPU
	hasNvidiaGPU = func() bool { return visible }
	t.Cleanup(func() { hasNvidiaGPU = saved })
}

// A GOMLX_BACKEND that cannot be used is an error that says where the value
// came from and lists the valid values, with the plugins' state; with no
// plugin installed, XLA fails without downloading one.
func TestOpenErrors(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir()) // no plugins
	t.Setenv("LD_LIBRARY_PATH", "")
	setGPU(t, false)
	valid := "valid values of GOMLX_BACKEND: go (GoMLX's pure Go backend), go:parallelism=N (N cores; -1: all, cnnlab's default), " +
		"xla:cpu (plugin not installed), xla:cuda (plugin not installed), xla:/path/to/pjrt_c_api_NAME_plugin.so"
	for _, tc := range []struct {
		config, source string
		want           []string
	}{
		{"bogus", "env", []string{`GOMLX_BACKEND="bogus": unknown backend "bogus"`}},
		{"cuda", "env", []string{`GOMLX_BACKEND="cuda": unknown backend "cuda"`}},
		{"go:parallelism=x", "env", []string{`GOMLX_BACKEND="go:parallelism=x": `, "parallelism"}},
		{"xla:cuda", "env", []string{`GOMLX_BACKEND="xla:cuda": no PJRT plugin "cuda" is installed`, "nothing is downloaded at run time", "cnnlab backend install"}},
		{"xla", "env", []string{`no PJRT plugin "cpu" is installed`}},
		{"xla:cpu,shared_buffers", "plugin", []string{`backend "xla:cpu,shared_buffers" (cnnlab's choice from plugin; set GOMLX_BACKEND to choose another): no PJRT plugin "cpu"`}},
	} {
		b, err := open(tc.config, tc.source)
		if err == nil {
			b.Finalize()
			t.Errorf("open(%q): no error", tc.config)
			continue
		}
		for _, w := range append(tc.want, valid) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("open(%q): error %q\nlacks %q", tc.config, err, w)
			}
		}
	}
	if b, err := open("go", "env"); err != nil {
		t.Errorf(`open("go"): %v`, err)
	} else {
		b.Finalize()
	}
}

// cnnlab links GoMLX's XLA backend without its auto-installer: nothing can
// download a plugin behind the user's back.
func TestNoAutoInstaller(t *testing.T) {
	if err := xla.AutoInstall(); !errors.Is(err, xla.ErrNoAutoInstaller) {
		t.Fatalf("xla.AutoInstall() = %v; want ErrNoAutoInstaller (is github.com/gomlx/go-xla/compute/xla/autoinstall imported?)", err)
	}
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPluginDirsDefault(t *testing.T) {
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", "")
	t.Setenv("HOME", "/home/u")
	got := PluginDirs()
	want := []string{"/home/u/.local/lib/go-xla", "/home/u/.local/lib/go-xla/nvidia", "/usr/local/lib/go-xla", "/usr/local/lib/go-xla/nvidia"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("PluginDirs() = %v, want %v", got, want)
	}
}

func TestNewGoBackend(t *testing.T) {
	t.Setenv(EnvVar, "")
	b, info, err := New() // the process-wide backend: the Go one in tests
	if err != nil {
		t.Fatal(err)
	}
	if b == nil || !strings.Contains(strings.ToLower(info.Name), "go") || info.CPUs < 1 {
		t.Errorf("New() = %v, %+v", b, info)
	}
	if info.SIMD != simdEnabled {
		t.Errorf("Info.SIMD = %v, want %v", info.SIMD, simdEnabled)
	}
}

func TestInstallUnknownPlugin(t *testing.T) {
	err := Install("tpu9", "", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `unknown PJRT plugin "tpu9"`) {
		t.Fatalf("Install(tpu9): got %v", err)
	}
}

func TestParseCPUInfo(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "cpuinfo")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n" +
		"flags\t\t: fpu sse2 avx2 fma avx512f avx512bw amx_tile amx_bf16 hypervisor\n\nprocessor\t: 1\nmodel name\t: other\n")
	f.Seek(0, 0)
	c := parseCPUInfo(f)
	if c.Model != "Intel(R) Xeon(R) Processor" {
		t.Errorf("model %q", c.Model)
	}
	// simdFlags order, only the ones present.
	if got := strings.Join(c.Flags, " "); got != "avx2 fma avx512f avx512bw amx_tile amx_bf16" {
		t.Errorf("flags %q", got)
	}
	if got := c.String(); got != "Intel(R) Xeon(R) Processor (avx2 fma avx512f avx512bw amx_tile amx_bf16)" {
		t.Errorf("String() = %q", got)
	}
}
