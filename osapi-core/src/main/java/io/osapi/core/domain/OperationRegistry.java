package io.osapi.core.domain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The operations a deployment knows, keyed by full type. Jobs of unknown types are refused by the
 * job client before anything is stored; nothing is ever dispatched by prefix. Immutable; build one
 * with {@link #builder()}.
 */
public final class OperationRegistry {
  private final Map<String, OperationDefinition> byType;

  private OperationRegistry(Map<String, OperationDefinition> byType) {
    this.byType = Map.copyOf(byType);
  }

  /** A builder with no operations. */
  public static Builder builder() {
    return new Builder();
  }

  /** The definition of {@code type}, if registered. */
  public Optional<OperationDefinition> find(String type) {
    return type == null ? Optional.empty() : Optional.ofNullable(byType.get(type));
  }

  /**
   * The definition of {@code type}.
   *
   * @throws UnknownOperationException if it is not registered
   */
  public OperationDefinition require(String type) {
    OperationDefinition d = type == null ? null : byType.get(type);
    if (d == null) {
      Operation.requireType(type);
      throw new UnknownOperationException(type);
    }
    return d;
  }

  /** Every registered type. */
  public Set<String> types() {
    return byType.keySet();
  }

  /** Every registered definition. */
  public Collection<OperationDefinition> definitions() {
    return byType.values();
  }

  /** Builds an {@link OperationRegistry}. */
  public static final class Builder {
    private final Map<String, OperationDefinition> byType = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds an operation.
     *
     * @throws IllegalArgumentException if the type is registered already
     */
    public Builder register(OperationDefinition definition) {
      if (byType.putIfAbsent(definition.type(), definition) != null) {
        throw new IllegalArgumentException(
            "operation " + definition.type() + " is registered twice");
      }
      return this;
    }

    /** Adds an operation from its parts. */
    public Builder register(
        String type, OperationKind kind, String description, OperationHandler handler) {
      return register(new OperationDefinition(type, kind, description, handler));
    }

    /**
     * Adds a privileged operation from its parts (see {@link OperationDefinition#privileged()}).
     */
    public Builder registerPrivileged(
        String type, OperationKind kind, String description, OperationHandler handler) {
      return register(new OperationDefinition(type, kind, description, handler, true));
    }

    /**
     * Adds an operation whose handler never blocks, run on the thread that completed its claim
     * (see {@link OperationExecution#INLINE}).
     */
    public Builder registerInline(
        String type, OperationKind kind, String description, OperationHandler handler) {
      return register(new OperationDefinition(type, kind, description, handler, false,
          OperationExecution.INLINE));
    }

    /** Adds every operation of {@code other}. */
    public Builder registerAll(OperationRegistry other) {
      other.definitions().forEach(this::register);
      return this;
    }

    /** The registry. */
    public OperationRegistry build() {
      return new OperationRegistry(byType);
    }
  }
}
