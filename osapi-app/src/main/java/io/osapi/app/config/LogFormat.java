package io.osapi.app.config;

import java.util.Locale;

/** How a server process writes its log lines ({@code --log-format}). */
public enum LogFormat {
  /** One human-readable line: time, level, logger, message, then trace, span and job ids. */
  TEXT,
  /** One JSON object per line, for log shippers. */
  JSON;

  /** The option's name. */
  public static final String OPTION = "--log-format";

  /** Parses {@code text} or {@code json}. @throws ConfigException naming the option otherwise */
  public static LogFormat parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new ConfigException(OPTION, "expected text or json, got '" + value + "'");
    };
  }
}
