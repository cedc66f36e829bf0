// The govmomi vCenter simulator (vcsim, govmomi 0.24.2 package simulator) as the vSphere adapter's test oracle:
// a VPX inventory served over HTTPS with pinned credentials, described in ONE JSON line on stdout, served until
// stdin closes or SIGTERM/SIGINT arrives. Built and started by packages/test-support/src/vcsim.ts.
package main

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

type vm struct {
	Name         string            `json:"name"`
	Moref        map[string]string `json:"moref"`
	UUID         string            `json:"uuid"`
	InstanceUUID string            `json:"instanceUuid"`
	PowerState   string            `json:"powerState"`
}

func main() {
	model := simulator.VPX() // 1 datacenter, a cluster of 3 hosts, 1 standalone host, 2 VMs per resource pool
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer model.Remove()
	secret := make([]byte, 12)
	_, _ = rand.Read(secret)
	user, password := "administrator@vsphere.local", hex.EncodeToString(secret)
	// simulator/session_manager.go validLogin: a Listen URL with a user accepts only that user and password.
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(user, password)}
	model.Service.TLS = new(tls.Config) // HTTPS with httptest's localhost certificate (IP SAN 127.0.0.1)
	server := model.Service.NewServer()
	defer server.Close()

	cert := server.Certificate()
	sum := sha1.Sum(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	vms := []vm{}
	for _, e := range simulator.Map.All("VirtualMachine") {
		v := e.(*simulator.VirtualMachine)
		vms = append(vms, vm{v.Name, map[string]string{"type": "VirtualMachine", "value": v.Self.Value},
			v.Config.Uuid, v.Config.InstanceUuid, string(v.Runtime.PowerState)})
	}
	sort.Slice(vms, func(i, j int) bool { return vms[i].Name < vms[j].Name })
	u := *server.URL
	u.User = nil
	_ = json.NewEncoder(os.Stdout).Encode(map[string]interface{}{
		"url": u.String(), "ca": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		"thumbprint": strings.Join(parts, ":"), "user": user, "password": password, "vms": vms,
	})

	done := make(chan os.Signal, 1)
	signal.Notify(done, syscall.SIGTERM, syscall.SIGINT)
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); done <- syscall.SIGTERM }()
	<-done
}
