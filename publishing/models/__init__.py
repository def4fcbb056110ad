from publishing.models.images import NewsImage, NewsRendition
from publishing.models.pages import ArticleByline, ArticlePage, ArticleRelatedLink, HomePage, SectionPage
from publishing.models.snippets import Author, Licence, Topic

__all__ = [
    "ArticleByline",
    "ArticlePage",
    "ArticleRelatedLink",
    "Author",
    "HomePage",
    "Licence",
    "NewsImage",
    "NewsRendition",
    "SectionPage",
    "Topic",
]
