# R DESeq2 side of benchmarks/deseq2_vs_r.py: the same model as the workflow's DE step.
#
# Usage: Rscript deseq2_vs_r.R COUNTS SAMPLES REFERENCE MIN_COUNT ALPHA OUTDIR
#
# COUNTS: TSV with gene_id, gene_name and one column per sample; SAMPLES: TSV with
# sample and condition columns. Genes with fewer than MIN_COUNT reads in total are
# left out (as the workflow does), the model is ~condition with REFERENCE as the
# reference level, and every other condition is tested against it (Wald test,
# independent filtering at ALPHA). Writes OUTDIR/<condition>_vs_<REFERENCE>.tsv and
# prints the DESeq2 version.

args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 6)
counts_path <- args[[1]]
samples_path <- args[[2]]
reference <- args[[3]]
min_count <- as.numeric(args[[4]])
alpha <- as.numeric(args[[5]])
outdir <- args[[6]]

suppressPackageStartupMessages(library(DESeq2))

samples <- read.delim(samples_path, colClasses = "character", check.names = FALSE)
table <- read.delim(counts_path, check.names = FALSE, colClasses = c(gene_id = "character"))
counts <- as.matrix(table[, samples$sample])
rownames(counts) <- table$gene_id
counts <- counts[rowSums(counts) >= min_count, , drop = FALSE]

coldata <- data.frame(condition = factor(samples$condition), row.names = samples$sample)
coldata$condition <- relevel(coldata$condition, ref = reference)
dds <- DESeqDataSetFromMatrix(counts, coldata, design = ~condition)
dds <- DESeq(dds, quiet = TRUE)

for (level in setdiff(levels(coldata$condition), reference)) {
    res <- results(dds, contrast = c("condition", level, reference), alpha = alpha)
    out <- data.frame(gene_id = rownames(res), as.data.frame(res), check.names = FALSE)
    path <- file.path(outdir, paste0(level, "_vs_", reference, ".tsv"))
    write.table(out, path, sep = "\t", quote = FALSE, row.names = FALSE)
}
cat(as.character(packageVersion("DESeq2")), "\n")
