package io.osapi.app.cli;

import picocli.CommandLine.Option;

/**
 * {@code --nats} of the commands that need NATS (controller, worker), declared once. The
 * all-in-one command has its own {@code --nats}: optional, without it the embedded broker runs.
 */
public final class NatsServersOption {
  @Option(
      names = "--nats",
      paramLabel = "URL[,URL...]",
      defaultValue = "nats://127.0.0.1:4222",
      description = "NATS server URLs (default: ${DEFAULT-VALUE}).")
  String nats;
}
