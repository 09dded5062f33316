package io.osapi.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.service.WorkerKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's key file: made private on first start, read after, refused when not private. */
class WorkerKeyFileTest {
  @TempDir Path dir;

  @Test
  void aMissingFileIsMadeWithMode600InAPrivateDirectoryAndReadBackAfter() throws Exception {
    Path file = dir.resolve("state/osapi/worker-w1.key");
    WorkerKey made = WorkerKeyFile.loadOrCreate("--worker-key-file", file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    WorkerKey again = WorkerKeyFile.loadOrCreate("--worker-key-file", file);
    assertThat(again.publicKey()).isEqualTo(made.publicKey());
    assertThat(Files.readString(file)).contains("private-key: ").contains("public-key: ");
    try (var s = Files.list(file.getParent())) {
      assertThat(s).containsExactly(file); // no temporary file left
    }
  }

  @Test
  void aFileOthersOrTheGroupMayReadIsRefused() throws Exception {
    Path file = dir.resolve("worker.key");
    WorkerKeyFile.loadOrCreate("--worker-key-file", file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> WorkerKeyFile.loadOrCreate("--worker-key-file", file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--worker-key-file")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void aFileWithoutAKeyPairOrWithAMismatchedOneIsRefused() throws Exception {
    Path garbage = dir.resolve("garbage.key");
    Files.writeString(garbage, "hello\n");
    Files.setPosixFilePermissions(garbage, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> WorkerKeyFile.loadOrCreate("--worker-key-file", garbage))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not an osapi worker key file");

    WorkerKey a = WorkerKey.generate();
    WorkerKey b = WorkerKey.generate();
    Path mixed = dir.resolve("mixed.key");
    Files.writeString(mixed, "private-key: " + a.privateKeyText() + "\npublic-key: "
        + b.publicKey() + "\n");
    Files.setPosixFilePermissions(mixed, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> WorkerKeyFile.loadOrCreate("--worker-key-file", mixed))
        .isInstanceOf(ConfigException.class).hasMessageContaining("belong together");
  }

  @Test
  void theDefaultPathIsPerWorker() {
    assertThat(WorkerKeyFile.defaultPath("web01").getFileName().toString())
        .isEqualTo("worker-web01.key");
  }
}
