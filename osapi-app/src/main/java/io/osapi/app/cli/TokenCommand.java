package io.osapi.app.cli;

import io.osapi.app.api.ApiJson;
import io.osapi.app.auth.Authentication;
import io.osapi.app.auth.RevocationList;
import io.osapi.app.auth.Roles;
import io.osapi.app.auth.TokenIssuer;
import io.osapi.app.auth.TokenKeyFiles;
import io.osapi.app.auth.TokenKeys;
import io.osapi.app.auth.TokenVerifier;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code osapi-app token keygen|create|inspect}: makes API token keys and tokens offline, on the
 * host that keeps the signing key; nothing here talks to a controller.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Makes and inspects signed API tokens (offline: no controller needed).",
    subcommands = {TokenCommand.Keygen.class, TokenCommand.Create.class,
        TokenCommand.Inspect.class})
public final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("osapi-app: token needs a command: keygen, create or"
        + " inspect (see osapi-app token --help)");
    return CommandLine.ExitCode.USAGE;
  }

  /** {@code token keygen --alg ES256|HS256 --out FILE}. */
  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = "Writes a new token key, mode 600, never over an existing file. ES256: the"
          + " private JWK to FILE (keep it on the host that makes tokens) and the public JWK to"
          + " FILE.pub (give that to the controllers' --api-token-key-file). HS256: a 384-bit"
          + " secret that signs and verifies (every controller then holds the signing key).")
  static final class Keygen implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--alg", paramLabel = "ES256|HS256", defaultValue = "ES256",
        description = "Algorithm of the key (default: ${DEFAULT-VALUE}).")
    String alg;

    @Option(names = "--out", paramLabel = "FILE", required = true,
        description = "File to write the key to.")
    Path out;

    @Override
    public Integer call() {
      List<Path> files = TokenKeyFiles.generate(alg, out);
      TokenKeys keys = TokenKeys.readFile("--out", out);
      PrintWriter o = spec.commandLine().getOut();
      o.println("wrote " + keys.algorithm() + " key " + keys.signingKeyId().orElseThrow()
          + " to " + files.get(0) + " (mode 600)");
      if (files.size() > 1) {
        o.println("wrote its public key to " + files.get(1)
            + " (for the controllers' --api-token-key-file)");
      }
      o.flush();
      return 0;
    }
  }

  /** {@code token create --key-file FILE --subject S --role R --ttl D}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = "Prints a new signed token (and only it) for the Authorization: Bearer"
          + " header; its id (jti) is random, for the deny list.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--key-file", paramLabel = "FILE", required = true,
        description = "The signing key: an HS256 secret, or the private JWK of token keygen.")
    Path keyFile;

    @Option(names = "--subject", paramLabel = "NAME", required = true,
        description = "Who the token is for (sub): shown in the audit trail.")
    String subject;

    @Option(names = "--role", paramLabel = "ROLE",
        description = "A role: read, write, admin or a custom role of the controllers' config;"
            + " repeat for several.")
    List<String> roles = new ArrayList<>();

    @Option(names = "--permission", paramLabel = "PERMISSION",
        description = "An extra permission (such as jobs:cancel); repeat for several.")
    List<String> permissions = new ArrayList<>();

    @Option(names = "--ttl", paramLabel = "DURATION", required = true,
        description = "How long the token is valid from its start, such as 8h or 720h; at most"
            + " 8760h. Prefer short lifetimes.")
    String ttl;

    @Option(names = "--not-before", paramLabel = "WHEN",
        description = "When the token starts to be valid: a duration from now (such as 1h) or a"
            + " UTC time (2026-12-24T08:00:00Z) (default: now).")
    String notBefore;

    @Override
    public Integer call() {
      Duration t = Durations.parse("--ttl", ttl);
      TokenIssuer.Request r = new TokenIssuer.Request(subject, roles, permissions, t,
          Optional.ofNullable(notBefore).map(Create::parseWhen));
      TokenKeys keys = TokenKeys.readFile("--key-file", keyFile);
      if (!keys.canSign()) {
        throw new ConfigException("--key-file", keyFile + " holds public keys only; sign with the"
            + " private key (the file keygen wrote, not its .pub)");
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println(TokenIssuer.issue(keys, r, Clock.systemUTC()));
      o.flush();
      return 0;
    }

    private static Instant parseWhen(String s) {
      try {
        return Instant.parse(s.strip());
      } catch (DateTimeParseException e) {
        return Instant.now().plus(Durations.parse("--not-before", s));
      }
    }
  }

  /** {@code token inspect [--key-file FILE] [TOKEN | -]}. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = "Prints a token's header and claims as JSON, the times it is valid and,"
          + " with --key-file, whether it verifies now (exit 1 when it does not). Never prints a"
          + " key.")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--key-file", paramLabel = "FILE",
        description = "Key to verify with: as the controllers' --api-token-key-file"
            + " (default: decode only).")
    Path keyFile;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TOKEN|-", defaultValue = "-",
        description = "The token, or - to read it from standard input (default: -).")
    String token;

    @Override
    public Integer call() throws IOException {
      String t = token.equals("-")
          ? new String(System.in.readNBytes(TokenVerifier.MAX_TOKEN_CHARS + 1),
              StandardCharsets.UTF_8).strip()
          : token.strip();
      if (t.regionMatches(true, 0, "Bearer ", 0, 7)) {
        t = t.substring(7).strip();
      }
      PrintWriter out = new PrintWriter(TerminalText.writer(spec.commandLine().getOut()), true);
      PrintWriter err = new PrintWriter(TerminalText.writer(spec.commandLine().getErr()), true);
      TokenVerifier.Decoded d;
      try {
        d = TokenVerifier.decode(t);
      } catch (IllegalArgumentException e) {
        err.println("osapi-app: " + TerminalText.oneLine(e.getMessage()));
        return 1;
      }
      Map<String, Object> both = new LinkedHashMap<>();
      both.put("header", d.header());
      both.put("claims", d.claims());
      out.println(ApiJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(both));
      out.println("valid: from " + time(d.claims(), "nbf", time(d.claims(), "iat", "?"))
          + " until " + time(d.claims(), "exp", "?"));
      if (keyFile == null) {
        out.println("verifies: not checked (no --key-file)");
        return 0;
      }
      TokenKeys keys = TokenKeys.readFile("--key-file", keyFile);
      Roles roles = spec.defaultValueProvider() instanceof OptionSources s
          ? Roles.withCustom(s.customRoles()) : Roles.builtIn();
      Authentication a = new TokenVerifier(keys, roles, RevocationList.none(), Clock.systemUTC())
          .verify(t);
      if (a instanceof Authentication.Verified v) {
        out.println("verifies: yes (subject "
            + TerminalText.oneLine(v.caller().subject()) + "; permissions "
            + (v.caller().permissions().isEmpty() ? "none"
                : String.join(",", v.caller().permissions().stream()
                    .sorted().map(Object::toString).toList())) + ")");
        return 0;
      }
      Authentication.Refused r = (Authentication.Refused) a;
      out.println("verifies: no: " + r.reason().label() + ": " + r.detail());
      return 1;
    }

    /** A time claim (seconds since the epoch) as a UTC time, or {@code absent}. */
    private static String time(Map<String, Object> claims, String name, String absent) {
      return claims.get(name) instanceof Number n
          ? Instant.ofEpochSecond(n.longValue()).toString() : absent;
    }
  }
}
