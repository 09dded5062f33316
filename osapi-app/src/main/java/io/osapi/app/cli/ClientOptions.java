package io.osapi.app.cli;

import io.osapi.app.client.ControllerClient;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How the job client commands reach the controller, and their output format. */
public final class ClientOptions {
  @Option(
      names = "--controller",
      paramLabel = "URL",
      defaultValue = "http://127.0.0.1:8080",
      description = "The controller's URL (default: ${DEFAULT-VALUE}; env OSAPI_CONTROLLER).")
  String controller;

  @Option(
      names = "--api-token-file",
      paramLabel = "PATH",
      description = "File holding the controller's bearer token (default: none).")
  Path tokenFile;

  @Option(
      names = "--json",
      description = "Print JSON (the API's bodies) instead of tables.")
  boolean json;

  @Option(
      names = OptionSources.CONFIG_OPTION,
      paramLabel = "FILE",
      description = "Properties file with option values (controller=..., api-token-file=...).")
  Path config;

  /** A client for the configured controller. @throws ConfigException for a bad URL or token */
  ControllerClient client() {
    URI u;
    try {
      u = URI.create(controller.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--controller", "'" + controller + "' is not a URL");
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new ConfigException(
          "--controller", "expected an http:// or https:// URL, got '" + controller + "'");
    }
    Optional<Secret> token = tokenFile == null ? Optional.empty()
        : Optional.of(Secret.readFile("--api-token-file", tokenFile));
    return new ControllerClient(u, token);
  }
}
