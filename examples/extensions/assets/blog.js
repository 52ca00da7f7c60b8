console.log("the blog");
