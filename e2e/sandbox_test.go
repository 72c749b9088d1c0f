package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sandbox is a running `setupwizard --demo --serve` in a real terminal and
// the environment it printed.
type sandbox struct {
	tm   *term
	vars map[string]string
	// path holds a "setupwizard" that is the binary under test, as a
	// script author's PATH would.
	path string
}

var exportLine = regexp.MustCompile(`(?m)^export ([A-Z_]+)='([^']*)'\r?$`)

// startSandbox starts the sandbox in a wide pty (the environment block's
// lines stay whole) and reads the environment it prints.
func startSandbox(t *testing.T, w *world) *sandbox {
	t.Helper()
	tm := w.startProgram(t, "terminal of setupwizard --demo --serve", w.env(), 250, 60, binary, "--demo", "--serve")
	tm.waitFor("Sandbox running; ctrl+c stops it")
	sb := &sandbox{tm: tm, vars: map[string]string{}}
	for _, m := range exportLine.FindAllStringSubmatch(string(tm.Raw()), -1) {
		sb.vars[m[1]] = m[2]
	}
	for _, k := range []string{"SETUPWIZARD_CONFIG_DIR", "SSL_CERT_FILE", "SETUPWIZARD_SANDBOX_CONTROL", "FLAMECONNECT_API_URL", "LIBRUS_GATEWAY_URL"} {
		if sb.vars[k] == "" {
			t.Fatalf("the sandbox did not print %s:\n%s", k, tm.Raw())
		}
	}
	sb.path = t.TempDir()
	if err := os.Symlink(binary, filepath.Join(sb.path, "setupwizard")); err != nil {
		t.Fatal(err)
	}
	return sb
}

// env is a script's environment in the sandbox's shell: the world's
// (its D-Bus session and keyring) with the printed variables loaded, as
// sourcing the block does, and setupwizard on PATH.
func (sb *sandbox) env(w *world) []string {
	var env []string
	for _, kv := range w.env() {
		k, _, _ := strings.Cut(kv, "=")
		if _, printed := sb.vars[k]; printed || k == "PATH" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range sb.vars {
		env = append(env, k+"="+v)
	}
	return append(env, "PATH="+sb.path+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// script runs name with args in the sandbox's environment and returns its
// exit code and output.
func (sb *sandbox) script(t *testing.T, w *world, stdin string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = sb.env(w)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	r := result{code: code, stdout: out.String(), stderr: errOut.String()}
	w.outputs = append(w.outputs,
		capture{what: "stdout of " + name, data: func() []byte { return []byte(r.stdout) }},
		capture{what: "stderr of " + name, data: func() []byte { return []byte(r.stderr) }})
	return r
}

// control POSTs to the sandbox's control as a script would, trusting only
// the CA the sandbox printed.
func (sb *sandbox) control(t *testing.T, what string) map[string]any {
	t.Helper()
	pem, err := os.ReadFile(sb.vars["SSL_CERT_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Post(sb.vars["SETUPWIZARD_SANDBOX_CONTROL"]+what, "", nil)
	if err != nil {
		t.Fatalf("POST %s: %v", what, err)
	}
	defer resp.Body.Close()
	var ans map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s, %v %v", what, resp.Status, ans, err)
	}
	return ans
}

// readmeBlock is the first fenced block of lang in README.md's section
// that begins with heading: the test runs the README's own text, so the
// two cannot drift apart.
func readmeBlock(t *testing.T, heading, lang string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no %q", heading)
	}
	s = s[i+len(heading)+2:]
	if j := strings.Index(s, "\n### "); j >= 0 {
		s = s[:j]
	}
	fence := "```" + lang + "\n"
	i = strings.Index(s, fence)
	if i < 0 {
		t.Fatalf("README.md's %q has no %s block", heading, lang)
	}
	s = s[i+len(fence):]
	return s[:strings.Index(s, "```")]
}

// TestSandbox is a script author's session with `setupwizard --demo
// --serve`: load its environment, sign in with the demo logins it prints,
// run README's shell and Python examples against the emulators (both
// services), expire every grant through the control and see the examples
// end with exit 4, then stop it with ctrl+c: exit 0, and nothing left
// behind (its directory, keyring items, listeners).
func TestSandbox(t *testing.T) {
	firstPassOnly(t)
	for _, tool := range []string{"sh", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run README's examples: %v", tool, err)
		}
	}
	w := newWorld(t)
	sb := startSandbox(t, w)
	dir := filepath.Dir(sb.vars["SETUPWIZARD_CONFIG_DIR"])
	if filepath.Dir(sb.vars["SSL_CERT_FILE"]) != dir || !strings.HasPrefix(filepath.Base(dir), "setupwizard-sandbox-") {
		t.Fatalf("the CA and config dir are not in one temporary dir: %v", sb.vars)
	}
	shellExample := readmeBlock(t, "### Use the tokens in scripts", "sh")
	pyExample := readmeBlock(t, "### Use the tokens in scripts", "python")

	// Sign in with each printed line, as the block says.
	raw := string(sb.tm.Raw())
	for _, p := range providers {
		var line string
		for _, l := range strings.Split(raw, "\n") {
			if strings.Contains(l, "--provider "+p.domain+" ") && strings.Contains(l, "--password-stdin") {
				line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "#"))
			}
		}
		if line == "" {
			t.Fatalf("no sign-in line for %s:\n%s", p.domain, raw)
		}
		if r := sb.script(t, w, "", "sh", "-c", line); r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", line, r.code, r.stdout, r.stderr)
		}
	}
	for _, p := range providers {
		if len(w.newItems(p.domain)) == 0 {
			t.Fatalf("%s: the sandbox's sign-in left no keyring item", p.domain)
		}
	}

	// The examples work against the emulators' APIs.
	r := sb.script(t, w, "", "sh", "-c", shellExample)
	if r.code != 0 || !strings.Contains(r.stdout, `"FriendlyName"`) || !strings.Contains(r.stdout, `"UserIdentifier"`) {
		t.Fatalf("README's shell example: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = sb.script(t, w, "", "python3", "-c", pyExample)
	if r.code != 0 || strings.Count(r.stdout, "\n") != 2 || !strings.Contains(r.stdout, "FriendlyName") || !strings.Contains(r.stdout, "UserIdentifier") {
		t.Fatalf("README's Python example: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A service that stops answering is a timeout (exit 1), never an
	// expiry; up brings it back. One service is enough to show it.
	down1 := providers[0]
	sb.control(t, "down?service="+down1.domain)
	r = sb.script(t, w, "", filepath.Join(sb.path, "setupwizard"), "--status", "--account", down1.uniqueID, "--timeout", "1s", "--json")
	var down struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &down); err != nil || r.code != 1 || down.Error != "timeout" || down.ExitCode != 1 {
		t.Fatalf("--status with the services down: exit %d (%v)\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	sb.control(t, "up?service="+down1.domain)
	if r := sb.script(t, w, "", filepath.Join(sb.path, "setupwizard"), "--status", "--account", down1.uniqueID); r.code != 0 {
		t.Fatalf("--status after up: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Every grant ends: the next --token, and so both examples, exit 4.
	ans := sb.control(t, "expire")
	if got, _ := ans["expired_accounts"].([]any); len(got) != len(providers) {
		t.Fatalf("expire recorded %v, want every account", ans)
	}
	for name, run := range map[string][]string{"shell": {"sh", "-c", shellExample}, "Python": {"python3", "-c", pyExample}} {
		r := sb.script(t, w, "", run[0], run[1:]...)
		if r.code != 4 || name == "Python" && !strings.Contains(r.stderr, "auth_expired") {
			t.Errorf("README's %s example after expire: exit %d, want 4\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}

	// The process check below sees a process started in the sandbox's
	// shell while it runs.
	probe := exec.Command("sh", "-c", "read x")
	probe.Env = sb.env(w)
	in, err := probe.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.Start(); err != nil {
		t.Fatal(err)
	}
	if pids := processesWith(dir); len(pids) == 0 {
		t.Error("the process check does not see a process started in the sandbox's shell")
	}
	_ = in.Close()
	_ = probe.Wait()

	// ctrl+c stops it; nothing is left behind.
	ports := listeners(sb.vars)
	sb.tm.press("\x03")
	sb.tm.exit(0)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the sandbox's directory %s is still there (%v)", dir, err)
	}
	for _, p := range providers {
		if items := w.newItems(p.domain); len(items) != 0 {
			t.Errorf("%s: %d keyring items left after the sandbox stopped", p.domain, len(items))
		}
	}
	if pids := processesWith(dir); len(pids) > 0 {
		t.Errorf("processes started in the sandbox still run: %v", pids)
	}
	for _, hp := range ports {
		if c, err := net.DialTimeout("tcp", hp, time.Second); err == nil {
			_ = c.Close()
			t.Errorf("%s still accepts connections after the sandbox stopped", hp)
		}
	}
}

// listeners are the host:port of every URL the sandbox printed.
func listeners(vars map[string]string) []string {
	var out []string
	for _, v := range vars {
		if u, err := url.Parse(v); err == nil && u.Scheme == "https" {
			out = append(out, u.Host)
		}
	}
	return out
}

// TestSandboxSIGTERM: SIGTERM ends the sandbox like ctrl+c (exit 0, its
// directory removed), and a second sandbox never shares the first's
// directory or control.
func TestSandboxSIGTERM(t *testing.T) {
	firstPassOnly(t)
	w := newWorld(t)
	a, b := startSandbox(t, w), startSandbox(t, w)
	if a.vars["SETUPWIZARD_CONFIG_DIR"] == b.vars["SETUPWIZARD_CONFIG_DIR"] || a.vars["SETUPWIZARD_SANDBOX_CONTROL"] == b.vars["SETUPWIZARD_SANDBOX_CONTROL"] {
		t.Fatalf("two sandboxes share a directory or control: %v %v", a.vars, b.vars)
	}
	for _, sb := range []*sandbox{a, b} {
		if err := sb.tm.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		sb.tm.exit(0)
		if _, err := os.Stat(filepath.Dir(sb.vars["SETUPWIZARD_CONFIG_DIR"])); !os.IsNotExist(err) {
			t.Errorf("SIGTERM left the sandbox's directory (%v)", err)
		}
	}
}

// TestSandboxHangUp: a hang-up (the terminal closed, the SSH session
// ended) ends the sandbox like ctrl+c: exit 0, its directory and the
// keyring items of an account signed in there removed. Before, the
// signal's default ended it and left both behind.
func TestSandboxHangUp(t *testing.T) {
	firstPassOnly(t)
	w := newWorld(t)
	sb := startSandbox(t, w)
	login, pw := "", ""
	for _, p := range providers {
		if p.domain == "librus" {
			login, pw = p.login, p.password
		}
	}
	if login == "" {
		t.Fatal("no librus demo login")
	}
	if r := sb.script(t, w, pw+"\n", binary, "--provider", "librus", "-u", login, "--password-stdin"); r.code != 0 {
		t.Fatalf("sign-in in the sandbox: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if len(w.newItems("librus")) == 0 {
		t.Fatal("the sandbox's sign-in left no keyring item")
	}
	if err := sb.tm.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	sb.tm.exit(0)
	if _, err := os.Stat(filepath.Dir(sb.vars["SETUPWIZARD_CONFIG_DIR"])); !os.IsNotExist(err) {
		t.Errorf("a hang-up left the sandbox's directory (%v)", err)
	}
	if items := w.newItems("librus"); len(items) != 0 {
		t.Errorf("%d keyring items left after a hang-up", len(items))
	}
}

// processesWith are the running processes whose environment mentions s:
// anything started in the sandbox's shell, or the sandbox itself.
func processesWith(s string) []string {
	var out []string
	envs, _ := filepath.Glob("/proc/[0-9]*/environ")
	for _, f := range envs {
		b, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(b), s) {
			out = append(out, filepath.Base(filepath.Dir(f)))
		}
	}
	return out
}
