package io.osapi.app.config;

/**
 * A setting has a value that cannot work. The message is one line, names the option (such as
 * {@code --api-addr}) and says what is wrong; the processes refuse to start with it (exit code 2).
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String option;

  /**
   * @param option the option, with its dashes ({@code --concurrency})
   * @param problem what is wrong with its value, without the option name
   */
  public ConfigException(String option, String problem) {
    super("invalid value for " + option + ": " + problem);
    this.option = option;
  }

  /** The option whose value is wrong. */
  public String option() {
    return option;
  }
}
