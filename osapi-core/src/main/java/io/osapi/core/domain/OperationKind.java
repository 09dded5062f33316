package io.osapi.core.domain;

/** Whether an operation only reads ({@code query}) or changes the host ({@code modify}). */
public enum OperationKind {
  QUERY("query"),
  MODIFY("modify");

  private final String token;

  OperationKind(String token) {
    this.token = token;
  }

  /** The lowercase name used in subjects and JSON. */
  public String token() {
    return token;
  }

  /** The kind for a token written by {@link #token()}. */
  public static OperationKind fromToken(String token) {
    for (OperationKind k : values()) {
      if (k.token.equals(token)) {
        return k;
      }
    }
    throw new InvalidInputException("kind", "unknown operation kind '" + token + "'");
  }
}
