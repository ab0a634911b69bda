// Gives every module library at least one translation unit while its sources are written.
