package io.osapi.core.domain;

/**
 * Which workers a job is for.
 *
 * <ul>
 *   <li>{@code _any}: one worker, load-balanced over all of them;
 *   <li>{@code _all}: every worker;
 *   <li>a worker id such as {@code web01} (or {@code host:web01}): that worker only;
 *   <li>{@code key:value}: every worker whose label {@code key} equals {@code value} or starts with
 *       it at a dot boundary ({@code group:web} reaches {@code group=web.dev} too).
 * </ul>
 */
public sealed interface Target {
  /** The wire form, parseable by {@link #parse(String)}. */
  String text();


  /** Parses a target; null or blank means {@code _any}. */
  static Target parse(String text) {
    if (text == null || text.isBlank()) {
      return Any.INSTANCE;
    }
    if (text.length() > 200) {
      throw new InvalidInputException(
          "target", "target is longer than 200 characters: '" + Names.abbreviate(text, 40) + "'");
    }
    if (text.equals("_any")) {
      return Any.INSTANCE;
    }
    if (text.equals("_all")) {
      return All.INSTANCE;
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return new Host(text);
    }
    String key = text.substring(0, colon);
    String value = text.substring(colon + 1);
    if (key.isEmpty()) {
      throw new InvalidInputException(
          "target", "target '" + Names.abbreviate(text, 70) + "' has no label key before ':'");
    }
    if (value.isEmpty()) {
      throw new InvalidInputException(
          "target", "target '" + Names.abbreviate(text, 70) + "' has no value after ':'");
    }
    if (key.equals("host")) {
      return new Host(value);
    }
    return new Label(key, value);
  }

  /** One worker, load-balanced. */
  enum Any implements Target {
    INSTANCE;

    @Override
    public String text() {
      return "_any";
    }

  }

  /** Every worker. */
  enum All implements Target {
    INSTANCE;

    @Override
    public String text() {
      return "_all";
    }

  }

  /** One worker by id. */
  record Host(String workerId) implements Target {
    /** @throws InvalidInputException for an invalid worker id */
    public Host {
      Names.requireWorkerId("target", workerId);
    }

    @Override
    public String text() {
      return workerId;
    }

  }

  /** Workers whose label matches, by dotted prefix. */
  record Label(String key, String value) implements Target {
    /** @throws InvalidInputException for an invalid key or value */
    public Label {
      Names.requireLabelKey("target", key);
      Names.requireLabelValue("target", value);
    }

    @Override
    public String text() {
      return key + ":" + value;
    }


    /** True when a worker with label {@code key=workerValue} is reached by this target. */
    public boolean matches(String workerValue) {
      return workerValue != null
          && (workerValue.equals(value) || workerValue.startsWith(value + "."));
    }
  }
}
