package io.osapi.core.operations;

import static io.osapi.core.operations.HostOps.q;
import static io.osapi.core.operations.HostOps.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.OperationRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code file.deploy} and {@code file.get} on real files. */
class FileOperationsTest {
  private static final OperationRegistry OPS = BuiltinOperations.registry();

  @TempDir Path tmp;

  private static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static Map<String, Object> deploy(Path p, String more) throws Exception {
    return run(OPS, "file.deploy", "{\"path\":" + q(p.toString()) + more + "}");
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino");
  }

  @Test
  void deployingTwiceChangesOnceThenNothingIsWritten() throws Exception {
    Path p = tmp.resolve("app.conf");
    Map<String, Object> first = deploy(p, ",\"content\":\"port=80\\n\"");
    String sha = sha("port=80\n".getBytes(StandardCharsets.UTF_8));
    assertThat(first).containsEntry("path", p.toString()).containsEntry("sha256", sha)
        .containsEntry("previous_sha256", null).containsEntry("changed", true);
    assertThat(Files.readString(p)).isEqualTo("port=80\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
        .isEqualTo("rw-r--r--");
    Object ino = inode(p);
    Map<String, Object> second = deploy(p, ",\"content\":\"port=80\\n\",\"mode\":\"644\"");
    assertThat(second).containsEntry("sha256", sha).containsEntry("previous_sha256", sha)
        .containsEntry("changed", false);
    assertThat(inode(p)).as("not rewritten").isEqualTo(ino);
    // the positive control: other content is a new file in its place
    Map<String, Object> third = deploy(p, ",\"content\":\"port=81\\n\"");
    assertThat(third).containsEntry("previous_sha256", sha).containsEntry("changed", true);
    assertThat(inode(p)).isNotEqualTo(ino);
    try (var files = Files.list(tmp)) {
      assertThat(files).as("no temporary file left").containsExactly(p);
    }
  }

  @Test
  void theModeIsAppliedAndAModeChangeAloneIsAChange() throws Exception {
    Path p = tmp.resolve("secret");
    deploy(p, ",\"content\":\"s3cret\",\"mode\":\"0600\"");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
        .isEqualTo("rw-------");
    assertThat(deploy(p, ",\"content\":\"s3cret\",\"mode\":\"0640\""))
        .containsEntry("changed", true);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
        .isEqualTo("rw-r-----");
    assertThat(deploy(p, ",\"content\":\"s3cret\",\"mode\":\"0640\""))
        .containsEntry("changed", false);
  }

  @Test
  void ownerAndGroupAreAppliedWhenRunningAsRoot() throws Exception {
    assumeThat(new com.sun.security.auth.module.UnixSystem().getUid())
        .as("chown to another user needs root").isZero();
    Path p = tmp.resolve("owned");
    deploy(p, ",\"content\":\"x\"");
    assertThat(Files.getOwner(p).getName()).isEqualTo("root");
    assertThat(deploy(p, ",\"content\":\"x\",\"owner\":\"nobody\",\"group\":\"nogroup\""))
        .containsEntry("changed", true);
    assertThat(Files.getOwner(p).getName()).isEqualTo("nobody");
    assertThat(Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class)
        .group().getName()).isEqualTo("nogroup");
    assertThat(deploy(p, ",\"content\":\"x\",\"owner\":\"nobody\",\"group\":\"nogroup\""))
        .containsEntry("changed", false);
    // new content without owners keeps the ones the file has
    deploy(p, ",\"content\":\"y\"");
    assertThat(Files.getOwner(p).getName()).isEqualTo("nobody");
  }

  @Test
  void binaryContentComesAsBase64() throws Exception {
    byte[] bytes = {0, 1, 2, (byte) 0xff, 10};
    Path p = tmp.resolve("blob");
    assertThat(deploy(p, ",\"content_base64\":" + q(Base64.getEncoder().encodeToString(bytes))))
        .containsEntry("sha256", sha(bytes));
    assertThat(Files.readAllBytes(p)).isEqualTo(bytes);
  }

  @Test
  void aConcurrentReaderSeesTheOldFileOrTheNewNeverAPart() throws Exception {
    Path p = tmp.resolve("big");
    byte[] a = "a".repeat(300_000).getBytes(StandardCharsets.UTF_8);
    byte[] b = "b".repeat(200_000).getBytes(StandardCharsets.UTF_8);
    String da = ",\"content\":" + q(new String(a, StandardCharsets.UTF_8));
    String db = ",\"content\":" + q(new String(b, StandardCharsets.UTF_8));
    deploy(p, da);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger reads = new AtomicInteger();
    AtomicReference<String> torn = new AtomicReference<>();
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        try {
          byte[] got = Files.readAllBytes(p);
          reads.incrementAndGet();
          seen.add(got.length);
          if (!java.util.Arrays.equals(got, a) && !java.util.Arrays.equals(got, b)) {
            torn.compareAndSet(null, "read " + got.length + " bytes that are neither version");
          }
        } catch (IOException e) {
          torn.compareAndSet(null, e.toString());
        }
      }
    });
    reader.start();
    for (int i = 0; i < 100; i++) {
      deploy(p, i % 2 == 0 ? db : da);
    }
    stop.set(true);
    reader.join();
    assertThat(torn.get()).isNull();
    assertThat(reads.get()).as("the reader read while deploys ran").isGreaterThan(100);
    assertThat(seen).as("and saw both versions").containsExactlyInAnyOrder(a.length, b.length);
  }

  @Test
  void aSymlinkInTheLastComponentIsRefusedAndLeftAlone() throws Exception {
    Path target = Files.writeString(tmp.resolve("target"), "original");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
    assertThatThrownBy(() -> deploy(link, ",\"content\":\"evil\""))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.field()).isEqualTo("path"))
        .hasMessageContaining("is a symbolic link");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(target)).isEqualTo("original");
    assertThatThrownBy(() -> run(OPS, "file.get", "{\"path\":" + q(link.toString()) + "}"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("is a symbolic link");
    // links above the last component are followed as usual
    Path dirLink = Files.createSymbolicLink(tmp.resolve("dirlink"), tmp);
    deploy(dirLink.resolve("through"), ",\"content\":\"ok\"");
    assertThat(Files.readString(tmp.resolve("through"))).isEqualTo("ok");
    assertThat(Files.isSymbolicLink(tmp.resolve("through"))).isFalse();
  }

  @Test
  void badInputNamesTheField() throws Exception {
    Path p = tmp.resolve("f");
    assertDeployField("path", "{\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":\"etc/motd\",\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":" + q(tmp + "/../f") + ",\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":" + q(tmp + "//f") + ",\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":" + q(tmp + "/f/") + ",\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":\"/\",\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":" + q(tmp + "/no/dir/f") + ",\"content\":\"x\"}");
    assertDeployField("path", "{\"path\":" + q(tmp.toString()) + ",\"content\":\"x\"}");
    String at = "{\"path\":" + q(p.toString());
    assertDeployField("content", at + "}");
    assertDeployField("content_base64", at + ",\"content\":\"x\",\"content_base64\":\"eA==\"}");
    assertDeployField("content_base64", at + ",\"content_base64\":\"not base64!\"}");
    assertDeployField("mode", at + ",\"content\":\"x\",\"mode\":\"999\"}");
    assertDeployField("mode", at + ",\"content\":\"x\",\"mode\":\"4755\"}");
    assertDeployField("mode", at + ",\"content\":\"x\",\"mode\":644}");
    assertDeployField("owner", at + ",\"content\":\"x\",\"owner\":\"no-such-user-9\"}");
    assertDeployField("group", at + ",\"content\":\"x\",\"group\":\"no-such-group-9\"}");
    assertDeployField("contents", at + ",\"contents\":\"x\"}");
    assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as("nothing written").isFalse();
  }

  private static void assertDeployField(String field, String data) {
    assertThatThrownBy(() -> run(OPS, "file.deploy", data))
        .as(data)
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining(field);
  }

  @Test
  void getReadsContentHashModeAndOwnersWithoutFollowingALink() throws Exception {
    byte[] bytes = "hello, host".getBytes(StandardCharsets.UTF_8);
    Path p = Files.write(tmp.resolve("motd"), bytes);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
    Map<String, Object> r = run(OPS, "file.get", "{\"path\":" + q(p.toString()) + "}");
    assertThat(r).containsEntry("content_base64", Base64.getEncoder().encodeToString(bytes))
        .containsEntry("sha256", sha(bytes)).containsEntry("mode", "0640")
        .containsEntry("owner", Files.getOwner(p).getName())
        .containsEntry("size", (long) bytes.length).containsEntry("truncated", false)
        .containsKey("group");
    Map<String, Object> cut = run(OPS, "file.get",
        "{\"path\":" + q(p.toString()) + ",\"max_bytes\":5}");
    assertThat(cut).containsEntry("content_base64",
            Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8)))
        .containsEntry("sha256", sha(bytes)).containsEntry("truncated", true)
        .containsEntry("size", (long) bytes.length);
    assertThatThrownBy(() -> run(OPS, "file.get", "{\"path\":" + q(tmp + "/none") + "}"))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> run(OPS, "file.get", "{\"path\":" + q(tmp.toString()) + "}"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("a directory");
    assertThatThrownBy(() -> run(OPS, "file.get", "{\"path\":\"/dev/zero\"}"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> run(OPS, "file.get",
        "{\"path\":" + q(p.toString()) + ",\"max_bytes\":2000000}"))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.field()).isEqualTo("max_bytes"));
  }

  @Test
  void theFourAreRegisteredPrivilegedWithTheirKinds() {
    assertThat(OPS.require("command.exec").privileged()).isTrue();
    assertThat(OPS.require("shell.exec").privileged()).isTrue();
    assertThat(OPS.require("file.deploy").privileged()).isTrue();
    assertThat(OPS.require("file.get").privileged()).isTrue();
    assertThat(OPS.require("file.get").kind()).isEqualTo(io.osapi.core.domain.OperationKind.QUERY);
    assertThat(OPS.require("file.deploy").kind())
        .isEqualTo(io.osapi.core.domain.OperationKind.MODIFY);
    assertThat(OPS.definitions().stream().filter(d -> d.privileged())
        .map(d -> d.type())).containsExactlyInAnyOrder(
            "command.exec", "shell.exec", "file.deploy", "file.get");
  }
}
