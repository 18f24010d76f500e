// A Go crypto/tls peer for keyway's interop tests (tests/go.rs), standard
// library only (Go 1.26 or later: ConnectionState.CurveID, SecP256r1MLKEM768
// and crypto/mlkem/mlkemtest).
//
//	peer server CHAIN.pem KEY.pem [CURVES]   serve one connection on 127.0.0.1:0
//	peer client ADDR ROOT.pem NAME [CURVES]  connect and verify NAME against ROOT
//	peer kat                                 the hybrid known answers of src/crypto/kx.rs
//
// CURVES is a comma-separated list of Go CurveID names (X25519MLKEM768,
// SecP256r1MLKEM768, X25519, CurveP256, CurveP384); without it Go's defaults
// apply. After the handshake both sides print "curve NAME" and "version NAME",
// send one line, read the other side's line, print it and close. Every wait
// ends after 15 seconds.
package main

import (
	"bufio"
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

const wait = 15 * time.Second

func main() {
	if len(os.Args) < 2 {
		fail("usage: peer server|client|kat ...")
	}
	switch os.Args[1] {
	case "server":
		server()
	case "client":
		client()
	case "kat":
		kat()
	default:
		fail("unknown mode " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "peer:", msg)
	os.Exit(1)
}

func check(err error, what string) {
	if err != nil {
		fail(what + ": " + err.Error())
	}
}

// curves parses an optional comma-separated list of CurveID names.
func curves(arg int) []tls.CurveID {
	if len(os.Args) <= arg || os.Args[arg] == "" {
		return nil
	}
	known := []tls.CurveID{tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}
	var out []tls.CurveID
	for _, name := range strings.Split(os.Args[arg], ",") {
		found := false
		for _, id := range known {
			if id.String() == name {
				out = append(out, id)
				found = true
			}
		}
		if !found {
			fail("unknown curve " + name)
		}
	}
	return out
}

// talk reports the handshake's parameters, sends `line`, and prints what the
// peer sent back.
func talk(conn *tls.Conn, line string) {
	check(conn.Handshake(), "handshake")
	state := conn.ConnectionState()
	fmt.Printf("curve %s\nversion %s\n", state.CurveID, tls.VersionName(state.Version))
	_, err := conn.Write([]byte(line + "\n"))
	check(err, "write")
	got, err := bufio.NewReader(conn).ReadString('\n')
	check(err, "read")
	fmt.Printf("received %s", got)
	check(conn.Close(), "close")
}

func server() {
	if len(os.Args) < 4 {
		fail("usage: peer server CHAIN.pem KEY.pem [CURVES]")
	}
	cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
	check(err, "certificate")
	config := &tls.Config{
		Certificates:     []tls.Certificate{cert},
		MinVersion:       tls.VersionTLS13,
		CurvePreferences: curves(4),
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	check(err, "listen")
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
	check(listener.(*net.TCPListener).SetDeadline(time.Now().Add(wait)), "deadline")
	conn, err := listener.Accept()
	check(err, "accept")
	check(conn.SetDeadline(time.Now().Add(wait)), "deadline")
	talk(tls.Server(conn, config), "hello from the go server")
}

func client() {
	if len(os.Args) < 5 {
		fail("usage: peer client ADDR ROOT.pem NAME [CURVES]")
	}
	pem, err := os.ReadFile(os.Args[3])
	check(err, "root")
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		fail("no certificate in " + os.Args[3])
	}
	config := &tls.Config{
		RootCAs:          roots,
		ServerName:       os.Args[4],
		MinVersion:       tls.VersionTLS13,
		CurvePreferences: curves(5),
	}
	conn, err := net.DialTimeout("tcp", os.Args[2], wait)
	check(err, "connect")
	check(conn.SetDeadline(time.Now().Add(wait)), "deadline")
	talk(tls.Client(conn, config), "hello from the go client")
}

// kat prints, for each hybrid, the client share, the server share and the
// shared secret from the fixed inputs of keyway's known-answer test: bytes
// 0..63 are the client's ML-KEM seed d || z, 64..95 its ECDH private key,
// 96..127 the server's encapsulation randomness m, 128..159 its ECDH key.
func kat() {
	input := make([]byte, 160)
	for i := range input {
		input[i] = byte(i)
	}
	seed, clientScalar, m, serverScalar := input[0:64], input[64:96], input[96:128], input[128:160]
	for _, group := range []struct {
		name      string
		curve     ecdh.Curve
		ecdhFirst bool
	}{
		{"X25519MLKEM768", ecdh.X25519(), false},
		{"SecP256r1MLKEM768", ecdh.P256(), true},
	} {
		join := func(mlkem, ecdh []byte) []byte {
			if group.ecdhFirst {
				return append(append([]byte{}, ecdh...), mlkem...)
			}
			return append(append([]byte{}, mlkem...), ecdh...)
		}
		dk, err := mlkem.NewDecapsulationKey768(seed)
		check(err, "ML-KEM key")
		clientKey, err := group.curve.NewPrivateKey(clientScalar)
		check(err, "client ECDH key")
		serverKey, err := group.curve.NewPrivateKey(serverScalar)
		check(err, "server ECDH key")
		mlkemSecret, ciphertext, err := mlkemtest.Encapsulate768(dk.EncapsulationKey(), m)
		check(err, "encapsulate")
		decapsulated, err := dk.Decapsulate(ciphertext)
		check(err, "decapsulate")
		ecdhSecret, err := serverKey.ECDH(clientKey.PublicKey())
		check(err, "ECDH")
		if hex.EncodeToString(decapsulated) != hex.EncodeToString(mlkemSecret) {
			fail("decapsulation disagrees")
		}
		fmt.Printf("%s client_share %x\n", group.name, join(dk.EncapsulationKey().Bytes(), clientKey.PublicKey().Bytes()))
		fmt.Printf("%s server_share %x\n", group.name, join(ciphertext, serverKey.PublicKey().Bytes()))
		fmt.Printf("%s shared_secret %x\n", group.name, join(mlkemSecret, ecdhSecret))
	}
}
