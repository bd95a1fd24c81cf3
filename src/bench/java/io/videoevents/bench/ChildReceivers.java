package io.videoevents.bench;

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;

/** Sockets spread over child processes of this tool (each process here may hold at most 20,000 file descriptors). */
final class ChildReceivers implements ReceiverGroup {

    private final List<Child> children = new ArrayList<>();
    private final Path workDir;

    ChildReceivers(Options options) {
        try {
            workDir = Files.createTempDirectory("video-events-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int per = (options.sockets() + options.processes() - 1) / options.processes();
        for (int p = 0; p < options.processes(); p++) {
            int from = Math.min(options.sockets(), p * per);
            int to = Math.min(options.sockets(), from + per);
            children.add(new Child("receiver " + p, "2g", options.childArguments(from, to)));
        }
    }

    @Override
    public Connected connect() {
        Connected total = new Connected(0, 0, 0, 0);
        for (Child child : children) {
            String[] ready = child.expect("READY", TimeUnit.MINUTES.toSeconds(15)).split(" ");
            total = total.plus(new Connected(Integer.parseInt(ready[1]), Integer.parseInt(ready[2]), Integer.parseInt(ready[3]),
                    Double.parseDouble(ready[4])));
        }
        return total;
    }

    @Override
    public ReceiveResult finish(CommitLog commits, int steps, int drainSeconds) {
        Path commitFile = workDir.resolve("commits.bin");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(commitFile))) {
            commits.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Child child : children) {
            child.send("FINISH " + commitFile + " " + workDir.resolve("result-" + children.indexOf(child) + ".bin") + " " + steps + " " + drainSeconds);
        }
        ReceiveResult total = new ReceiveResult(steps);
        for (Child child : children) {
            child.expect("DONE", drainSeconds + 120L);
            try (DataInputStream in = new DataInputStream(Files.newInputStream(workDir.resolve("result-" + children.indexOf(child) + ".bin")))) {
                total.merge(ReceiveResult.read(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return total;
    }

    @Override
    public void close() {
        for (Child child : children) {
            child.stop();
        }
        try (var files = Files.list(workDir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(workDir);
        } catch (IOException e) {
            System.err.println("could not remove " + workDir + ": " + e);
        }
    }

    /** The child's side: holds its slice, reports, waits for orders on standard input. */
    static void serve(Options options) throws IOException {
        BufferedReader orders = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Fleet receivers = new Fleet(options)) {
            Connected connected = receivers.connect();
            System.out.println("READY " + connected.sockets() + " " + connected.ready() + " " + connected.failed() + " "
                    + connected.seconds());
            System.out.flush();
            String line;
            while ((line = orders.readLine()) != null) {
                String[] order = line.split(" ");
                if (order[0].equals("FINISH")) {
                    CommitLog commits;
                    try (DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(order[1])))) {
                        commits = CommitLog.read(in);
                    }
                    ReceiveResult result = receivers.finish(commits, Integer.parseInt(order[3]), Integer.parseInt(order[4]));
                    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(order[2])))) {
                        result.write(out);
                    }
                    System.out.println("DONE");
                    System.out.flush();
                } else if (order[0].equals("EXIT")) {
                    break;
                }
            }
        }
    }
}
