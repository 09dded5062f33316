package io.osapi.app.config;

/** The deployables of osapi-app. */
public enum ProcessKind {
  /** REST API, job client and the controller's metrics. */
  CONTROLLER("controller"),
  /** One worker and its metrics. */
  WORKER("worker"),
  /** Controller and one worker in one JVM, on the embedded broker unless NATS is configured. */
  ALL_IN_ONE("all-in-one");

  private final String label;

  ProcessKind(String label) {
    this.label = label;
  }

  /** The name used in logs and banners. */
  public String label() {
    return label;
  }
}
