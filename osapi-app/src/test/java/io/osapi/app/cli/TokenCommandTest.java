package io.osapi.app.cli;

import static io.osapi.app.cli.JobCommandsTest.assertUsage;
import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.ProcessSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code osapi-app token keygen|create|inspect} end to end in process, and the server options of
 * signed tokens (key file, deny list, custom roles of the config file).
 */
class TokenCommandTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.run(Map.of(), args);
  }

  private String create(Path key, String... more) {
    String[] base = {"token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--role", "write", "--ttl", "720h"};
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
        java.util.Arrays.stream(more)).toArray(String[]::new);
    CliRun r = run(all);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).as("the token only").hasSize(1);
    return r.out().strip();
  }

  @Test
  void keygenCreateInspectWithAnEs256KeyPair() throws Exception {
    Path key = dir.resolve("keys/tokens.jwk");
    CliRun g = run("token", "keygen", "--alg", "ES256", "--out", key.toString());
    assertThat(g.code()).as(g.err()).isZero();
    assertThat(g.out()).contains("wrote ES256 key ").contains(key + ".pub");
    Path pub = Path.of(key + ".pub");
    for (Path p : new Path[] {key, pub}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-------");
    }
    assertThat(Files.readString(pub)).contains("\"kty\":\"EC\"").doesNotContain("\"d\"");
    assertThat(Files.readString(key)).contains("\"d\"");

    String token = create(key, "--permission", "jobs:delete");
    CliRun i = run("token", "inspect", "--key-file", pub.toString(), token);
    assertThat(i.code()).as(i.err()).isZero();
    assertThat(i.out()).contains("\"alg\" : \"ES256\"").contains("\"sub\" : \"alice\"")
        .contains("\"roles\" : [ \"write\" ]").contains("\"jti\" : ")
        .containsPattern("valid: from 20\\d\\d-\\d\\d-\\d\\dT[0-9:]+Z until 20")
        .contains("verifies: yes (subject alice; permissions ")
        .contains("jobs:delete");
    assertThat(i.out()).as("no key material").doesNotContain(Files.readString(pub).strip())
        .doesNotContain("\"d\"");

    // without a key: decoded, not verified
    CliRun d = run("token", "inspect", "Bearer " + token);
    assertThat(d.code()).isZero();
    assertThat(d.out()).contains("\"sub\" : \"alice\"").contains("verifies: not checked");

    // a public key cannot sign
    CliRun pubSigns = run("token", "create", "--key-file", pub.toString(), "--subject", "a",
        "--role", "read", "--ttl", "1h");
    assertUsage(pubSigns, "public keys only");
  }

  @Test
  void aTokenOfOneKeyDoesNotVerifyWithAnother() {
    Path a = dir.resolve("a.jwk");
    Path b = dir.resolve("b.jwk");
    Path hs = dir.resolve("hs.key");
    assertThat(run("token", "keygen", "--out", a.toString()).code()).isZero();
    assertThat(run("token", "keygen", "--out", b.toString()).code()).isZero();
    assertThat(run("token", "keygen", "--alg", "hs256", "--out", hs.toString()).code()).isZero();
    String token = create(a);
    CliRun ok = run("token", "inspect", "--key-file", a + ".pub", token);
    assertThat(ok.out()).as("positive control").contains("verifies: yes");
    CliRun other = run("token", "inspect", "--key-file", b + ".pub", token);
    assertThat(other.code()).isEqualTo(1);
    assertThat(other.out()).contains("verifies: no: invalid: unknown key id");
    CliRun hmac = run("token", "inspect", "--key-file", hs.toString(), token);
    assertThat(hmac.code()).isEqualTo(1);
    assertThat(hmac.out()).contains("verifies: no: invalid: algorithm ES256 not accepted");
    String hsToken = create(hs);
    assertThat(run("token", "inspect", "--key-file", hs.toString(), hsToken).out())
        .contains("\"alg\" : \"HS256\"").contains("verifies: yes");
    assertThat(run("token", "inspect", "--key-file", a.toString(), hsToken).out())
        .contains("verifies: no: invalid: algorithm HS256 not accepted");
  }

  @Test
  void badInputIsRefusedWithOneLine() throws Exception {
    Path key = dir.resolve("k.jwk");
    assertThat(run("token", "keygen", "--out", key.toString()).code()).isZero();
    assertUsage(run("token", "keygen", "--out", key.toString()), "exists");
    assertUsage(run("token", "keygen", "--alg", "RS256", "--out", dir.resolve("x").toString()),
        "expected ES256 or HS256");
    assertUsage(run("token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--role", "write"), "--ttl");
    assertUsage(run("token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--role", "write", "--ttl", "8761h"), "at most 8760h");
    assertUsage(run("token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--ttl", "1h"), "at least one --role");
    assertUsage(run("token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--permission", "jobs:everything", "--ttl", "1h"), "unknown permission");
    assertUsage(run("token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--role", "Admin!", "--ttl", "1h"), "not a role name");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertUsage(run("token", "create", "--key-file", key.toString(), "--subject", "alice",
        "--role", "write", "--ttl", "1h"), "chmod 600");
    CliRun garbage = run("token", "inspect", "not-a-token");
    assertThat(garbage.code()).isEqualTo(1);
    assertThat(garbage.err()).contains("not a signed JWT");
    CliRun early = run("token", "create", "--key-file", dir.resolve("k.jwk.pub").toString(),
        "--subject", "a", "--role", "read", "--ttl", "1h");
    assertThat(early.code()).isEqualTo(2);
  }

  @Test
  void aNotYetValidTokenDoesNotVerifyYet() {
    Path key = dir.resolve("k.jwk");
    assertThat(run("token", "keygen", "--out", key.toString()).code()).isZero();
    String later = create(key, "--not-before", "1h");
    CliRun i = run("token", "inspect", "--key-file", key + ".pub", later);
    assertThat(i.code()).isEqualTo(1);
    assertThat(i.out()).contains("\"nbf\"").contains("verifies: no: expired: not valid before");
  }

  /** Parses a server command line like the real one and returns its API settings. */
  private static ApiSettings api(Map<String, String> env, String... args) {
    StringWriter sink = new StringWriter();
    CommandLine cl = new Cli(s -> {
      throw new AssertionError();
    }, env).prepare(args, new PrintWriter(sink), new PrintWriter(sink));
    CommandLine.ParseResult pr = cl.parseArgs(args);
    while (pr.hasSubcommand()) {
      pr = pr.subcommand();
    }
    ProcessSettings s = pr.commandSpec().userObject() instanceof ControllerCommand c
        ? c.settings() : ((OsapiCommand) pr.commandSpec().userObject()).settings();
    return s.requireApi();
  }

  @Test
  void serverOptionsCarryTheKeyFileDenyListAndCustomRoles() throws Exception {
    Path key = dir.resolve("k.jwk");
    assertThat(run("token", "keygen", "--out", key.toString()).code()).isZero();
    Path pub = Path.of(key + ".pub");
    Path revoked = Files.writeString(dir.resolve("revoked"), "");
    Path config = Files.writeString(dir.resolve("osapi.properties"),
        "api-token-key-file=" + pub + "\napi-token-revoked-file=" + revoked
            + "\nrole.operator = jobs:read, workers:drain\n");
    ApiSettings s = api(Map.of(), "controller", "--config", config.toString());
    assertThat(s.auth().tokenKeyFile()).contains(pub);
    assertThat(s.auth().revokedFile()).contains(revoked);
    assertThat(s.auth().customRoles()).containsEntry("role.operator", "jobs:read, workers:drain");
    ApiSettings env = api(Map.of("OSAPI_API_TOKEN_KEY_FILE", pub.toString()));
    assertThat(env.auth().tokenKeyFile()).contains(pub);
    assertThat(api(Map.of()).auth().tokenKeyFile()).isEmpty();
  }

  @Test
  void badKeyFilesAndRolesStopTheServerWithExitTwo() throws Exception {
    Path shortKey = Files.writeString(dir.resolve("short.key"), "too-short\n");
    Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
    assertUsage(run("controller", "--api-token-key-file", shortKey.toString()),
        "at least 32");
    Path open = Files.writeString(dir.resolve("open.key"), "x".repeat(40));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    assertUsage(run("--api-token-key-file", open.toString()), "chmod 600");
    Path badRole = Files.writeString(dir.resolve("bad.properties"),
        "role.ops = jobs:read, jobs:rm\n");
    CliRun r = run("controller", "--config", badRole.toString());
    assertUsage(r, "role.ops");
    assertThat(r.err()).contains("unknown permission 'jobs:rm'");
    Path builtIn = Files.writeString(dir.resolve("builtin.properties"), "role.admin = jobs:read\n");
    assertUsage(run("controller", "--config", builtIn.toString()), "built-in");
    Path revokedOnly = Files.writeString(dir.resolve("r"), "");
    assertUsage(run("controller", "--api-token-revoked-file", revokedOnly.toString()),
        "--api-token-key-file");
  }
}
