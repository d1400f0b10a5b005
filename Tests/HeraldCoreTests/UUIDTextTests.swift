import HeraldCore
import Testing

/// Kratos identity ids as DataSubject (forget/export) and the kratos plugin accept them.
@Suite struct UUIDTextTests {
    @Test func acceptsKratosIdsInEitherCase() {
        #expect(UUIDText.isValid("9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5c"))
        #expect(UUIDText.isValid("9F4254A5-2B7C-4C3E-8F3A-0D1E2F3A4B5C"))
    }

    @Test func refusesAnythingElse() {
        for text in [
            "", "9f4254a5", "9f4254a52b7c4c3e8f3a0d1e2f3a4b5c", "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5g",
            "9f4254a5_2b7c-4c3e-8f3a-0d1e2f3a4b5c", "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5c ", "*",
            "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4b5`", "9f4254a5-2b7c-4c3e-8f3a-0d1e2f3a4bé",
        ] {
            #expect(!UUIDText.isValid(text), "\(text)")
        }
    }
}
