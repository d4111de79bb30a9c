package io.mxgate.core.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ReloadingTable}: loads at construction, swaps in a changed file whole, keeps the last good table. */
class ReloadingTableTest {

    @TempDir
    Path dir;

    /** The loader, counting its calls. */
    private final AtomicInteger loads = new AtomicInteger();

    private final Function<String, PostfixTable> loader = path -> {
        loads.incrementAndGet();
        return PostfixTable.open(path);
    };

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Rewrites the file and moves its mtime on, so the change is seen however coarse the file system clock. */
    private static void rewrite(Path file, String text, int secondsLater) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(secondsLater)));
    }

    @Test
    void loadsAtConstruction() throws IOException {
        Path file = write("access", "spammer@example.com REJECT\n");
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        assertEquals(1, loads.get());
        assertEquals("hash:" + file, t.name());
        assertEquals("REJECT", t.get().lookup("SPAMMER@example.com").orElseThrow());
    }

    @Test
    void theLoaderGetsThePathWithoutTheTypePrefix() throws IOException {
        Path file = write("access", "a OK\n");
        String[] seen = new String[1];
        new ReloadingTable<>("texthash:" + file, p -> {
            seen[0] = p;
            return PostfixTable.open(p);
        });
        assertEquals(file.toString(), seen[0]);
    }

    @Test
    void aMissingFileFailsAtConstruction() {
        Path missing = dir.resolve("missing");
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> new ReloadingTable<>("hash:" + missing, loader));
        assertTrue(e.getMessage().startsWith("hash:" + missing + ": cannot read " + missing + ": "), e.getMessage());
        assertEquals(0, loads.get());
    }

    @Test
    void aMalformedFileFailsAtConstruction() throws IOException {
        Path file = write("access", "key-without-value\n");
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> new ReloadingTable<>("hash:" + file, loader));
        assertEquals(file + ", line 1: expected \"key whitespace value\", got \"key-without-value\"", e.getMessage());
    }

    @Test
    void anUnsupportedTypeFailsAtConstruction() throws IOException {
        Path file = write("access", "a OK\n");
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> new ReloadingTable<>("mysql:" + file, loader));
        assertTrue(e.getMessage().startsWith("mysql:" + file + ": unsupported table type \"mysql\""), e.getMessage());
    }

    @Test
    void reloadOfAnUnchangedFileReturnsNullAndKeepsTheTable() throws IOException {
        Path file = write("access", "a OK\n");
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        PostfixTable first = t.get();
        assertNull(t.reload());
        assertNull(t.reload());
        assertSame(first, t.get());
        assertEquals(1, loads.get());
    }

    @Test
    void reloadSwapsTheTableWhenTheSizeChanged() throws IOException {
        Path file = write("access", "a OK\n");
        FileTime mtime = Files.getLastModifiedTime(file);
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        PostfixTable first = t.get();
        Files.writeString(file, "a REJECT\nb OK\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, mtime);  // same time, other size
        assertNull(t.reload());
        assertNotSame(first, t.get());
        assertEquals("REJECT", t.get().lookup("a").orElseThrow());
        assertEquals("OK", t.get().lookup("b").orElseThrow());
        assertEquals(2, loads.get());
        assertNull(t.reload());
        assertEquals(2, loads.get());
    }

    @Test
    void reloadSwapsTheTableWhenOnlyTheModificationTimeChanged() throws IOException {
        Path file = write("access", "a OK\n");
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        rewrite(file, "a NO\n", 5);  // same size
        assertNull(t.reload());
        assertEquals("NO", t.get().lookup("a").orElseThrow());
        assertEquals(2, loads.get());
    }

    @Test
    void aMalformedNewVersionLeavesTheOldTableAndReturnsTheError() throws IOException {
        Path file = write("access", "a OK\n");
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        PostfixTable good = t.get();
        rewrite(file, "a OK\n  \nbroken\n", 5);
        RuntimeException e = t.reload();
        assertNotNull(e);
        assertTrue(e instanceof PostfixTable.TableException, e.toString());
        assertEquals(file + ", line 3: expected \"key whitespace value\", got \"broken\"", e.getMessage());
        assertSame(good, t.get());
        // Still broken: the error is reported again, the good table stays.
        assertNotNull(t.reload());
        assertSame(good, t.get());
        // Fixed: taken.
        rewrite(file, "a REJECT\n", 5);
        assertNull(t.reload());
        assertEquals("REJECT", t.get().lookup("a").orElseThrow());
    }

    @Test
    void aDeletedFileLeavesTheOldTableAndReturnsTheError() throws IOException {
        Path file = write("access", "a OK\n");
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        PostfixTable good = t.get();
        Files.delete(file);
        RuntimeException e = t.reload();
        assertNotNull(e);
        assertTrue(e.getMessage().startsWith("hash:" + file + ": "), e.getMessage());
        assertSame(good, t.get());
    }

    @Test
    void aCidrTableReloads() throws IOException {
        Path file = write("clients.cidr", "192.0.2.0/24 REJECT\n");
        ReloadingTable<CidrTable> t = new ReloadingTable<>(file.toString(), CidrTable::open);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        assertEquals("REJECT", t.get().lookup(a).orElseThrow());
        rewrite(file, "192.0.2.0/24 OK\n", 5);
        assertNull(t.reload());
        assertEquals("OK", t.get().lookup(a).orElseThrow());
        rewrite(file, "192.0.2.0/99 OK\n", 5);
        RuntimeException e = t.reload();
        assertNotNull(e);
        assertEquals("cidr:" + file + ": bad prefix length in \"192.0.2.0/99\"", e.getMessage());
        assertEquals("OK", t.get().lookup(a).orElseThrow());
    }

    /**
     * A Kubernetes ConfigMap volume: {@code access -> ..data/access}, {@code ..data -> ..2024_01_01_v1}; an update
     * writes a new timestamped directory and renames a new {@code ..data} link over the old one.
     */
    @Test
    void followsAConfigMapSymlinkSwap() throws IOException {
        Path v1 = Files.createDirectory(dir.resolve("..2024_01_01_v1"));
        Files.writeString(v1.resolve("access"), "a OK\n", StandardCharsets.UTF_8);
        Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("access"), Path.of("..data", "access"));
        ReloadingTable<PostfixTable> t = new ReloadingTable<>("hash:" + file, loader);
        assertEquals("OK", t.get().lookup("a").orElseThrow());
        assertNull(t.reload());

        Path v2 = Files.createDirectory(dir.resolve("..2024_01_02_v2"));
        Path v2file = Files.writeString(v2.resolve("access"), "a NO\n", StandardCharsets.UTF_8);  // same size
        Files.setLastModifiedTime(v2file,
                FileTime.from(Files.getLastModifiedTime(v1.resolve("access")).toInstant().plusSeconds(60)));
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The symlink "access" itself did not change; its target did.
        assertEquals(v2.getFileName(), Files.readSymbolicLink(data));

        assertNull(t.reload());
        assertEquals("NO", t.get().lookup("a").orElseThrow());
        assertEquals(2, loads.get());

        // The old version is removed, as the kubelet does.
        Files.delete(v1.resolve("access"));
        Files.delete(v1);
        assertNull(t.reload());
        assertEquals("NO", t.get().lookup("a").orElseThrow());
    }

    @Test
    void aNewerModificationTimeWithTheSameContentReloads() throws IOException {
        Path file = write("access", "a OK\n");
        ReloadingTable<PostfixTable> t = new ReloadingTable<>(file.toString(), loader);
        PostfixTable first = t.get();
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(3600)));
        assertNull(t.reload());
        assertNotSame(first, t.get());
        assertEquals(2, loads.get());
    }
}
