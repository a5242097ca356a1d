//go:build ignore

// pjrt-install installs XLA PJRT plugins at pinned versions while the image
// is built, before the project's code is copied in (so that a code change
// does not download the plugins again). It calls GoMLX's installer, the one
// behind `cnnlab backend install` (pkg/backend/install.go), at the version
// of github.com/gomlx/go-xla in go.mod:
//
//	go run docker/pjrt-install.go -plugins "cpu cuda13" -cpu-version v0.114.0 \
//	    -cuda-version 0.12.1 -dir /usr/local/lib/go-xla [-cpu-sha256 HEX]
//
// What is verified:
//   - CUDA (cuda12, cuda13): the installer takes the PJRT wheel
//     jax-cudaNN-pjrt==VERSION and the NVIDIA wheels it depends on from
//     PyPI, checks that the package's author is the JAX team, and checks
//     every wheel's SHA-256 against the digest PyPI publishes. Then this
//     program checks that the NVIDIA libraries the plugin loads are there.
//   - CPU: github.com/gomlx/pjrt-cpu-binaries publishes no checksums and the
//     installer checks none; with -cpu-sha256 this program checks the
//     installed plugin's SHA-256.
//
// It writes DIR/SHA256SUMS (the plugins' SHA-256) and DIR/VERSIONS.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/go-xla/installer"
)

func main() {
	plugins := flag.String("plugins", "cpu cuda13", "plugins to install, space-separated: cpu, cuda12, cuda13")
	cpuVersion := flag.String("cpu-version", "", "pjrt-cpu-binaries release, e.g. v0.114.0 (required with cpu)")
	cudaVersion := flag.String("cuda-version", "", "JAX version of the CUDA PJRT wheel, e.g. 0.12.1 (required with cuda12/cuda13)")
	cpuSHA := flag.String("cpu-sha256", "", "expected SHA-256 of the installed CPU plugin (optional)")
	dir := flag.String("dir", "/usr/local/lib/go-xla", "install folder")
	flag.Parse()
	if err := run(strings.Fields(*plugins), *cpuVersion, *cudaVersion, *cpuSHA, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "pjrt-install:", err)
		os.Exit(1)
	}
}

func run(plugins []string, cpuVersion, cudaVersion, cpuSHA, dir string) error {
	if len(plugins) == 0 {
		fmt.Println("pjrt-install: no plugins asked for: the image runs on GoMLX's Go backend")
		return nil
	}
	var versions []string
	for _, p := range plugins {
		switch p {
		case "cpu":
			if cpuVersion == "" || cpuVersion == "latest" {
				return fmt.Errorf("cpu: a pinned -cpu-version is required, got %q", cpuVersion)
			}
			if err := installer.CPUInstall(runtime.GOOS+"_"+runtime.GOARCH, cpuVersion, dir, false, installer.Quiet); err != nil {
				return fmt.Errorf("installing the CPU plugin %s: %w", cpuVersion, err)
			}
			plugin := filepath.Join(dir, "pjrt_c_api_cpu_"+cpuVersion+"_plugin.so")
			if cpuSHA != "" {
				got, err := fileSHA256(plugin)
				if err != nil {
					return err
				}
				if got != strings.ToLower(cpuSHA) {
					return fmt.Errorf("%s: SHA-256 %s, want %s", plugin, got, cpuSHA)
				}
				fmt.Printf("pjrt-install: %s matches -cpu-sha256\n", plugin)
			}
			versions = append(versions, "cpu pjrt-cpu-binaries "+cpuVersion)
		case "cuda12", "cuda13":
			if cudaVersion == "" || cudaVersion == "latest" {
				return fmt.Errorf("%s: a pinned -cuda-version is required, got %q", p, cudaVersion)
			}
			if slices.Contains(plugins, "cuda12") && slices.Contains(plugins, "cuda13") {
				return fmt.Errorf("cuda12 and cuda13 share %s/nvidia: install one", dir)
			}
			if err := installer.CudaInstall(p, cudaVersion, dir, false, installer.Quiet); err != nil {
				return fmt.Errorf("installing the %s plugin (JAX %s): %w", p, cudaVersion, err)
			}
			if err := checkNvidia(filepath.Join(dir, "nvidia"), p); err != nil {
				return err
			}
			versions = append(versions, p+" jax-"+p+"-pjrt "+cudaVersion+" (NVIDIA wheels: the newest that jax-"+p+"-plugin allows)")
		default:
			return fmt.Errorf("unknown plugin %q (want cpu, cuda12 or cuda13)", p)
		}
	}
	sums, err := pluginSums(dir)
	if err != nil {
		return err
	}
	fmt.Print(sums)
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "VERSIONS"), []byte(strings.Join(versions, "\n")+"\n"), 0o644)
}

// checkNvidia checks that the NVIDIA libraries the CUDA plugin loads at run
// time (it dlopens them, so ldd cannot tell) and ptxas were installed under
// nvidia/. libcuda.so.1 is not among them: it is the host driver's, mounted
// by the NVIDIA Container Toolkit.
func checkNvidia(nvidia, plugin string) error {
	want := []string{"libcudart.so", "libcublas.so", "libcublasLt.so", "libcudnn.so", "libcufft.so",
		"libcusolver.so", "libcusparse.so", "libnvJitLink.so"}
	found := map[string]bool{}
	err := filepath.WalkDir(nvidia, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		for _, w := range want {
			if strings.HasPrefix(d.Name(), w) {
				found[w] = true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("checking %s: %w", nvidia, err)
	}
	var missing []string
	for _, w := range want {
		if !found[w] {
			missing = append(missing, w)
		}
	}
	if _, err := os.Stat(filepath.Join(nvidia, "bin", "ptxas")); err != nil {
		missing = append(missing, "bin/ptxas")
	}
	if _, err := os.Stat(filepath.Join(nvidia, "pjrt_c_api_cuda_plugin.so")); err != nil {
		missing = append(missing, "pjrt_c_api_cuda_plugin.so")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s plugin: not found under %s: %s", plugin, nvidia, strings.Join(missing, ", "))
	}
	fmt.Printf("pjrt-install: %s: the NVIDIA libraries it loads are in %s\n", plugin, nvidia)
	return nil
}

// pluginSums returns sha256sum-style lines for the PJRT plugins under dir.
func pluginSums(dir string) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasPrefix(d.Name(), "pjrt_c_api_") && strings.HasSuffix(d.Name(), "_plugin.so") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		sum, err := fileSHA256(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, f)
	}
	return b.String(), nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
