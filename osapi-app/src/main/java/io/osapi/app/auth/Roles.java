package io.osapi.app.auth;

import io.osapi.app.config.ConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Roles and the permissions they grant: the built-in {@code read} &lt; {@code write} &lt; {@code
 * admin}, plus custom roles from the config file ({@code role.NAME = jobs:read, jobs:create}).
 * Immutable and thread-safe.
 *
 * <p>Expanding a token's roles fails closed: a role or permission this table does not know (a
 * token made for another version, a custom role removed since) grants nothing and is no error.
 */
public final class Roles {
  /** The config-file key prefix of a custom role: {@code role.NAME}. */
  public static final String KEY_PREFIX = "role.";

  /** Names of custom roles: lower case, starting with a letter, at most 32 characters. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  private static final Roles BUILT_IN = new Roles(builtInTable());

  private final Map<String, Set<Permission>> table;

  private Roles(Map<String, Set<Permission>> table) {
    this.table = table;
  }

  /** The built-in roles only. */
  public static Roles builtIn() {
    return BUILT_IN;
  }

  private static Map<String, Set<Permission>> builtInTable() {
    Set<Permission> read = EnumSet.of(
        Permission.JOBS_READ, Permission.WORKERS_READ, Permission.SCHEDULES_READ);
    Set<Permission> write = EnumSet.copyOf(read);
    write.addAll(List.of(Permission.JOBS_CREATE, Permission.JOBS_RETRY, Permission.JOBS_CANCEL,
        Permission.SCHEDULES_WRITE));
    Set<Permission> admin = EnumSet.copyOf(write);
    admin.addAll(List.of(Permission.JOBS_CREATE_PRIVILEGED, Permission.JOBS_DELETE,
        Permission.WORKERS_DRAIN, Permission.WORKERS_TRUST, Permission.AUDIT_READ));
    Map<String, Set<Permission>> t = new LinkedHashMap<>();
    t.put("read", Collections.unmodifiableSet(read));
    t.put("write", Collections.unmodifiableSet(write));
    t.put("admin", Collections.unmodifiableSet(admin));
    return Collections.unmodifiableMap(t);
  }

  /**
   * The built-in roles plus the custom roles of a config file.
   *
   * @param properties the config file's {@code role.NAME} entries, keys with their prefix and
   *     values as written (permissions separated by commas); other keys are not allowed here
   * @throws ConfigException naming the key, for a bad role name, a built-in name, an empty list or
   *     an unknown permission
   */
  public static Roles withCustom(Map<String, String> properties) {
    Map<String, Set<Permission>> t = new LinkedHashMap<>(BUILT_IN.table);
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(KEY_PREFIX)) {
        throw new IllegalArgumentException("not a role key: " + key);
      }
      String name = key.substring(KEY_PREFIX.length());
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(key, "'" + name + "' is not a role name (a lower-case letter,"
            + " then up to 31 of a-z 0-9 _ -)");
      }
      if (BUILT_IN.table.containsKey(name)) {
        throw new ConfigException(key, "'" + name + "' is a built-in role and cannot be"
            + " redefined; choose another name");
      }
      Set<Permission> perms = EnumSet.noneOf(Permission.class);
      for (String part : e.getValue().split(",")) {
        String p = part.strip();
        if (p.isEmpty()) {
          continue;
        }
        perms.add(Permission.fromToken(p).orElseThrow(() -> new ConfigException(key,
            "unknown permission '" + p + "'; known: " + knownPermissions())));
      }
      if (perms.isEmpty()) {
        throw new ConfigException(key, "names no permission; list them separated by commas,"
            + " like jobs:read, jobs:create");
      }
      t.put(name, Collections.unmodifiableSet(perms));
    }
    return new Roles(Collections.unmodifiableMap(t));
  }

  /**
   * Every role and what it grants, the built-in ones first ({@code read}, {@code write}, {@code
   * admin}), then the custom ones by name; each role's permissions in {@link Permission} order.
   */
  public Map<String, List<Permission>> table() {
    Map<String, List<Permission>> out = new LinkedHashMap<>();
    table.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(out);
  }

  /** Whether {@code role} is one of the built-in roles. */
  public static boolean isBuiltIn(String role) {
    return BUILT_IN.table.containsKey(role);
  }

  /** The names of the roles, in {@link #table()} order. */
  public List<String> names() {
    return List.copyOf(table.keySet());
  }

  /**
   * What a credential with these roles and extra permissions may do. Unknown roles and
   * permissions grant nothing (fail closed).
   */
  public Set<Permission> permissionsOf(Collection<String> roles,
      Collection<String> extraPermissions) {
    Objects.requireNonNull(roles, "roles");
    Objects.requireNonNull(extraPermissions, "extraPermissions");
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    for (String r : roles) {
      Set<Permission> p = r == null ? null : table.get(r);
      if (p != null) {
        out.addAll(p);
      }
    }
    for (String p : extraPermissions) {
      if (p != null) {
        Permission.fromToken(p).ifPresent(out::add);
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /** The roles among {@code roles} this table does not know (for a warning, never an error). */
  public List<String> unknown(Collection<String> roles) {
    List<String> out = new ArrayList<>();
    for (String r : roles) {
      if (!table.containsKey(r)) {
        out.add(r);
      }
    }
    return out;
  }

  private static String knownPermissions() {
    StringBuilder b = new StringBuilder();
    for (Permission p : Permission.values()) {
      b.append(b.length() == 0 ? "" : ", ").append(p.token());
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "Roles" + table.keySet();
  }
}
