package io.osapi.core.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which operations a worker runs: its host owner's allow-list ({@code --allow-operations}). The
 * default, {@link #defaults()}, allows every operation that is not {@linkplain
 * OperationDefinition#privileged() privileged} (the built-in {@code system.*} and {@code diag.*});
 * a privileged operation is allowed only by a list that names it. A list is globs, where {@code *}
 * stands for any characters (dots too: {@code system.*} allows {@code system.hostname.get}) and
 * everything else is literal; it allows exactly the types one of its globs matches, privileged or
 * not. A worker announces its list in its heartbeat ({@link WorkerInfo#allowOperations()}), the
 * globs as written (null for the default), so the controller expects only the workers that allow a
 * job's operation.
 */
public final class OperationPolicy {
  /** Most globs a list may have. */
  public static final int MAX_GLOBS = 64;

  private static final Pattern GLOB = Pattern.compile("[a-z0-9_.*]{1,128}");
  private static final OperationPolicy DEFAULT = new OperationPolicy(null);

  /** The globs, or null for the default. */
  private final List<String> globs;
  private final List<Pattern> patterns;

  private OperationPolicy(List<String> globs) {
    this.globs = globs == null ? null : List.copyOf(globs);
    List<Pattern> p = new ArrayList<>();
    if (globs != null) {
      for (String g : globs) {
        p.add(Pattern.compile(("\\Q" + g + "\\E").replace("*", "\\E.*\\Q")));
      }
    }
    this.patterns = List.copyOf(p);
  }

  /** The default: every operation that is not privileged. */
  public static OperationPolicy defaults() {
    return DEFAULT;
  }

  /**
   * A list of globs.
   *
   * @throws InvalidInputException for no glob, more than {@value #MAX_GLOBS}, or a glob that is
   *     not 1 to 128 of {@code a-z 0-9 _ . *}
   */
  public static OperationPolicy of(List<String> globs) {
    Objects.requireNonNull(globs, "globs");
    LinkedHashSet<String> seen = new LinkedHashSet<>();
    for (String g : globs) {
      String t = g == null ? "" : g.strip();
      if (!GLOB.matcher(t).matches()) {
        throw new InvalidInputException("allow-operations", "'" + Names.abbreviate(t, 40)
            + "' is not an operation glob: use operation types and * (like system.*,diag.*,"
            + "command.exec)");
      }
      seen.add(t);
    }
    if (seen.isEmpty()) {
      throw new InvalidInputException("allow-operations",
          "no operation named: give globs like system.*,diag.*");
    }
    if (seen.size() > MAX_GLOBS) {
      throw new InvalidInputException("allow-operations", "more than " + MAX_GLOBS + " globs");
    }
    return new OperationPolicy(new ArrayList<>(seen));
  }

  /** The comma-separated globs of {@code text}; {@link #of(List)}'s rules. */
  public static OperationPolicy parse(String text) {
    return of(text == null || text.isBlank() ? List.of() : List.of(text.split(",", -1)));
  }

  /**
   * The policy a worker announced: its globs, or the default for an entry without any (written
   * by the default policy, or by an osapi before allow-lists). Globs not valid allow nothing.
   */
  public static OperationPolicy announced(List<String> globs) {
    if (globs == null) {
      return DEFAULT;
    }
    try {
      return of(globs);
    } catch (InvalidInputException e) {
      return new OperationPolicy(List.of());
    }
  }

  /** Whether this policy allows running {@code definition}. */
  public boolean allows(OperationDefinition definition) {
    return allows(definition.type(), definition.privileged());
  }

  /** Whether this policy allows running an operation of {@code type}. */
  public boolean allows(String type, boolean privileged) {
    if (globs == null) {
      return !privileged;
    }
    for (Pattern p : patterns) {
      if (p.matcher(type).matches()) {
        return true;
      }
    }
    return false;
  }

  /** True for {@link #defaults()}. */
  public boolean isDefault() {
    return globs == null;
  }

  /** The globs as given, or null for the default (what a heartbeat carries). */
  public List<String> globs() {
    return globs;
  }

  /** The globs comma-separated, or {@code (default: every non-privileged operation)}. */
  @Override
  public String toString() {
    return globs == null ? "(default: every non-privileged operation)" : String.join(",", globs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OperationPolicy p && Objects.equals(p.globs, globs);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(globs);
  }
}
