package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.osapi.core.contract.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Token auth, and TLS with a trust store, without one, and in insecure development mode. */
class NatsAuthIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  private <T extends AutoCloseable> T closeLater(T c) {
    return closer.later(c);
  }

  @Test
  void tokenAuthentication() {
    NatsServerProcess server = closeLater(NatsServerProcess.start("--auth", "the-Token-42"));
    NatsBackend ok =
        closeLater(
            NatsTestSupport.backend(
                NatsTestSupport.settings(server).token("the-Token-42").build()));
    assertThat(ok.isReady()).isTrue();
    NatsBackend bad =
        closeLater(
            NatsBackend.connect(
                NatsTestSupport.settings(server)
                    .token("wrong-Token-43")
                    .startupWait(Duration.ofSeconds(10))
                    .build()));
    assertThat(bad.isReady()).isFalse();
    assertThat(bad.lastError()).hasValueSatisfying(
        e -> assertThat(e).containsIgnoringCase("authentication").doesNotContain("wrong-Token-43"));
  }

  @Test
  void tlsWithATrustStoreWorksAndAnUntrustedServerIsRefused() throws Exception {
    Path dir = closeLater(new TempDir()).path;
    assumeTrue(run(dir, "openssl", "version") == 0, "openssl is needed to make test certificates");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    assertThat(run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=osapi-test-ca")).isZero();
    assertThat(run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
        "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")).isZero();
    assertThat(run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile",
        "san.ext")).isZero();
    assertThat(run(dir, "keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
        "-keystore", "trust.p12", "-storetype", "PKCS12", "-storepass", "store-Pa55")).isZero();

    NatsServerProcess server =
        closeLater(
            NatsServerProcess.start(
                "--tls",
                "--tlscert", dir.resolve("server.pem").toString(),
                "--tlskey", dir.resolve("server.key").toString()));
    List<String> url = List.of("tls://127.0.0.1:" + server.port());

    NatsBackend trusted =
        closeLater(
            NatsTestSupport.backend(
                NatsTestSupport.settings(url)
                    .trustStore(dir.resolve("trust.p12"), "store-Pa55")
                    .build()));
    assertThat(trusted.isReady()).isTrue();
    assertThat(Fixtures.statuses(trusted.store())).isEmpty();

    NatsBackend untrusted =
        closeLater(
            NatsBackend.connect(
                NatsTestSupport.settings(url).startupWait(Duration.ofSeconds(3)).build()));
    assertThat(untrusted.isReady()).isFalse();
    assertThat(untrusted.lastError()).isPresent();

    NatsBackend insecure =
        closeLater(
            NatsTestSupport.backend(
                NatsTestSupport.settings(url).insecureDevTls(true).build()));
    assertThat(insecure.isReady()).isTrue();
  }

  private static int run(Path dir, String... cmd) throws InterruptedException {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("tool.log").toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    }
  }

  /** A temporary directory deleted on close. */
  private static final class TempDir implements AutoCloseable {
    final Path path;

    TempDir() throws IOException {
      path = Files.createTempDirectory("osapi-tls-");
    }

    @Override
    public void close() throws IOException {
      try (var s = Files.walk(path)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
