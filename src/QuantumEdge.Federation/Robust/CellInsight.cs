namespace QuantumEdge.Federation.Robust;

/// <summary>The federation's figures for one (model, task category), robustly combined over the peers whose latest release has the cell.</summary>
public sealed record CellInsight(
    string Model,
    string Category,
    int Peers,
    RobustFigure Requests,
    RobustFigure? ErrorRate,
    RobustFigure? TimeoutRate,
    RobustFigure? FeedbackMean,
    RobustFigure? TtftP50Ms,
    RobustFigure? TtftP95Ms,
    RobustFigure? TotalP50Ms,
    RobustFigure? TotalP95Ms);
