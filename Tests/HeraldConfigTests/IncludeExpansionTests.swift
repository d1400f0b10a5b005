import Glibc
import HeraldConfig
import Testing

@Suite struct IncludeExpansionTests {
    @Test func dropInsComeInFileNameOrder() throws {
        try withTemporaryDirectory { (directory: String) throws in
            // Created out of order so that directory order cannot pass for sorting.
            for name in ["20-b.yaml", "10-a.yaml", "B.yaml", "é.yaml", "30-c.yaml", ".10-a.yaml.swp", "notes.txt"] {
                try write("", to: "\(directory)/routes.d/\(name)")
            }
            let paths = try expandInclude("routes.d/*.yaml", relativeTo: directory + "/herald.yaml")
            #expect(
                paths
                    == ["10-a.yaml", "20-b.yaml", "30-c.yaml", "B.yaml", "é.yaml"].map {
                        "\(directory)/routes.d/\($0)"
                    })
        }
    }

    @Test func fileNameDecidesBeforeDirectory() throws {
        try withTemporaryDirectory { (directory: String) throws in
            for path in ["x/02.yaml", "a/02.yaml", "z/01.yaml"] {
                try write("", to: "\(directory)/\(path)")
            }
            let paths = try expandInclude("*/*.yaml", relativeTo: directory + "/herald.yaml")
            #expect(paths == ["z/01.yaml", "a/02.yaml", "x/02.yaml"].map { "\(directory)/\($0)" })
        }
    }

    @Test func wildcardsMatchingNothingGiveNothing() throws {
        try withTemporaryDirectory { (directory: String) throws in
            #expect(try expandInclude("routes.d/*.yaml", relativeTo: directory + "/herald.yaml") == [])
        }
    }

    @Test func plainPathsMustExist() throws {
        try withTemporaryDirectory { (directory: String) throws in
            try write("", to: directory + "/extra.yaml")
            #expect(
                try expandInclude("extra.yaml", relativeTo: directory + "/herald.yaml") == [directory + "/extra.yaml"])
            #expect(
                throws: ConfigFileError.unreadable(
                    path: directory + "/missing.yaml", reason: "No such file or directory")
            ) {
                try expandInclude("missing.yaml", relativeTo: directory + "/herald.yaml")
            }
        }
    }

    @Test func absolutePatternsIgnoreTheConfigDirectory() throws {
        try withTemporaryDirectory { (directory: String) throws in
            try write("", to: directory + "/a.yaml")
            #expect(
                try expandInclude(directory + "/*.yaml", relativeTo: "/etc/herald/herald.yaml") == [
                    directory + "/a.yaml"
                ])
        }
    }

    @Test func aConfigWithoutDirectoryKeepsPathsRelative() throws {
        #expect(throws: ConfigFileError.unreadable(path: "no-such-dir/x.yaml", reason: "No such file or directory")) {
            try expandInclude("no-such-dir/x.yaml", relativeTo: "herald.yaml")
        }
    }
}

extension IncludeExpansionTests {
    @Test func unreadableDirectoriesAreErrors() throws {
        try withTemporaryDirectory { (directory: String) throws in
            // A symlink loop cannot be opened even by root (ELOOP), unlike a chmod 000 directory.
            #expect(symlink(directory + "/routes.d", directory + "/routes.d") == 0)
            #expect(
                throws: ConfigFileError.badPattern(
                    pattern: directory + "/routes.d/*.yaml", reason: "a directory in it cannot be read")
            ) {
                try expandInclude("routes.d/*.yaml", relativeTo: directory + "/herald.yaml")
            }
        }
    }
}
