package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
)

// TestHelpListsFlags runs "cnnlab CMD -h" for every command: it exits 0 and
// lists under "flags:" exactly the flags its usage synopsis names (so a
// command that parses -h before declaring its flags, or a synopsis that
// forgets a flag, fails), and no flag reads as if it took a placeholder
// argument from backquotes in its description.
func TestHelpListsFlags(t *testing.T) {
	synopsisFlag := regexp.MustCompile(`--([a-z0-9][a-z0-9-]*)`)
	listed := regexp.MustCompile(`(?m)^  -([a-z0-9][a-z0-9-]*)(?: (\S+))?$`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(strings.Fields(name), "-h")...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			var inSynopsis []string
			for _, m := range synopsisFlag.FindAllStringSubmatch(commands[name].usage, -1) {
				if !slices.Contains(inSynopsis, m[1]) {
					inSynopsis = append(inSynopsis, m[1])
				}
			}
			var inHelp []string
			for _, m := range listed.FindAllStringSubmatch(stdout, -1) {
				inHelp = append(inHelp, m[1])
				if arg := m[2]; arg != "" && !slices.Contains([]string{"string", "int", "float", "int64", "duration", "uint"}, arg) {
					t.Errorf("-%s is shown taking %q: a backquoted word in its description", m[1], arg)
				}
			}
			sort.Strings(inSynopsis)
			sort.Strings(inHelp)
			if len(inSynopsis) == 0 && !strings.Contains(stdout, "flags: none") {
				t.Errorf("a command without flags says so; -h printed\n%s", stdout)
			}
			if !slices.Equal(inSynopsis, inHelp) {
				t.Errorf("-h lists flags %v; the usage synopsis names %v\n%s", inHelp, inSynopsis, stdout)
			}
		})
	}
}

// TestUsageErrorOneLine: a usage error is one line naming the problem, then
// a pointer to -h, not the whole usage text.
func TestUsageErrorOneLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--bogus"}, "cnnlab train: flag provided but not defined: -bogus\nrun \"cnnlab train -h\" for the flags\n"},
		{[]string{"lesson", "run"}, "cnnlab lesson run: name a lesson ("},
		{[]string{"version", "extra"}, "cnnlab version: unexpected argument \"extra\"\nrun \"cnnlab version -h\" for the flags\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, tt.args...)
		if code != 2 || !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and two lines starting %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}

// TestVersion: "cnnlab version" prints the module version (the test binary
// has build info, without VCS stamps).
func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "cnnlab ") || !strings.Contains(stdout, "module github.com/cnnlab/cnnlab") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}

// TestNoDataNoNetwork: with no copy of CIFAR-10 and no network (a proxy
// that refuses connections), a lesson fails at once saying how to point at
// a copy: --data, $CNNLAB_DATASET, the cache folder. (A child process: the
// HTTP client reads the proxy settings once.)
func TestNoDataNoNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy := "http://" + ln.Addr().String()
	ln.Close() // connections are refused
	home, cache := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	cmd := exec.Command(os.Args[0], "-test.run=^TestBackendChild$")
	cmd.Env = append(os.Environ(),
		"CNNLAB_TEST_CHILD=lesson run shuffle --preset smoke",
		cifar.EnvDataset+"=", cifar.EnvDataDir+"="+cache, "HOME="+home, "KERAS_HOME=",
		"HTTP_PROXY="+proxy, "HTTPS_PROXY="+proxy, "http_proxy="+proxy, "https_proxy="+proxy, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, output %s", err, out)
	}
	for _, want := range []string{"--data PATH", "$" + cifar.EnvDataset, cifar.OfficialFile + " in " + cache, "$" + cifar.EnvDataDir} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not mention %q:\n%s", want, out)
		}
	}
}
