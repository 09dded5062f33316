package io.osapi.app.cli;

import io.osapi.app.auth.Roles;
import io.osapi.app.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where option values come from when they are not on the command line, in this order: the
 * environment variable ({@code --api-addr} is {@code OSAPI_API_ADDR}), then the config file (Java
 * properties keyed by the option name without dashes, {@code api-addr=127.0.0.1:8080}), then the
 * option's built-in default. Remembers which options it supplied, so an error can say where a bad
 * value came from. The config file may also define custom API roles, {@code role.NAME =
 * jobs:read, jobs:create} ({@link Roles}), checked when it is read.
 */
public final class OptionSources implements IDefaultValueProvider {
  /** The option naming the config file. */
  public static final String CONFIG_OPTION = "--config";

  /**
   * Options that describe one invocation of a job command rather than a setting: never taken from
   * the environment or the config file.
   */
  public static final Set<String> PER_INVOCATION =
      Set.of("--type", "--data", "--target", "--timeout", "--wait", "--wait-timeout",
          "--retry-for", "--idempotency-key", "--status", "--operation", "--worker", "--limit",
          "--offset", "--after", "--json",
          "--fingerprint", "--subject", "--since", "--until", "--route", "--out", "--alg",
          "--key-file", "--role", "--permission", "--ttl", "--not-before", "--cron", "--every",
          "--timezone", "--overlap", "--catchup-window", "--paused", "--file", "--batch-size",
          "--pause-seconds", "--max-failures");

  private final Map<String, String> env;
  private final Map<String, String> file;
  private final Path filePath;
  private final Map<String, String> roles;
  private final Map<String, String> supplied = new ConcurrentHashMap<>();

  private OptionSources(Map<String, String> env, Map<String, String> file, Path filePath,
      Map<String, String> roles) {
    this.env = Map.copyOf(env);
    this.file = Map.copyOf(file);
    this.filePath = filePath;
    this.roles = Map.copyOf(roles);
  }

  /**
   * Reads the config file named by {@code --config FILE} / {@code --config=FILE} in {@code args}
   * or by {@code OSAPI_CONFIG}, if any.
   *
   * @throws ConfigException when the file cannot be read or has a key that is no option
   */
  public static OptionSources load(String[] args, Map<String, String> env, Set<String> known) {
    String path = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        break;
      }
      if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
        path = args[i + 1];
      } else if (args[i].startsWith(CONFIG_OPTION + "=")) {
        path = args[i].substring(CONFIG_OPTION.length() + 1);
      }
    }
    if (path == null) {
      path = env.get(envName(CONFIG_OPTION));
    }
    if (path == null || path.isBlank()) {
      return new OptionSources(env, Map.of(), null, Map.of());
    }
    Path p = Path.of(path);
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (NoSuchFileException e) {
      throw new ConfigException(CONFIG_OPTION, "file " + p + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(CONFIG_OPTION, "cannot read " + p + ": " + e.getMessage());
    }
    Map<String, String> values = new TreeMap<>();
    Map<String, String> roles = new TreeMap<>();
    for (String k : props.stringPropertyNames()) {
      if (k.startsWith(Roles.KEY_PREFIX)) {
        roles.put(k, props.getProperty(k).trim());
        continue;
      }
      String key = k.startsWith("--") ? k.substring(2) : k;
      String opt = "--" + key;
      if (!known.contains(opt) || opt.equals(CONFIG_OPTION) || PER_INVOCATION.contains(opt)) {
        throw new ConfigException(
            CONFIG_OPTION, "file " + p + " sets '" + k + "', which is not an option");
      }
      values.put("--" + key, props.getProperty(k).trim());
    }
    Roles.withCustom(roles); // a bad role is refused naming its key
    return new OptionSources(env, values, p, roles);
  }

  /**
   * The custom roles of the config file: {@code role.NAME} keys to their permission lists as
   * written, already checked by {@link Roles#withCustom}.
   */
  public Map<String, String> customRoles() {
    return roles;
  }

  /** The environment variable of an option: {@code --api-addr} is {@code OSAPI_API_ADDR}. */
  public static String envName(String longOption) {
    String n = longOption.startsWith("--") ? longOption.substring(2) : longOption;
    return "OSAPI_" + n.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec o)) {
      return null;
    }
    String name = o.longestName();
    if (!name.startsWith("--") || o.usageHelp() || o.versionHelp()
        || PER_INVOCATION.contains(name)) {
      return null;
    }
    String e = env.get(envName(name));
    if (e != null) {
      supplied.put(name, "environment variable " + envName(name));
      return e;
    }
    String f = file.get(name);
    if (f != null) {
      supplied.put(name, "config file " + filePath);
      return f;
    }
    return null;
  }

  /** Where the value of {@code option} came from, when this provider supplied it. */
  public Optional<String> sourceOf(String option) {
    return Optional.ofNullable(supplied.get(option));
  }
}
